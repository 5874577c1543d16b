package io.ltm.testutils.it;

import io.ltm.testutils.SmallMemory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the settings of a node on a {@link LocalCluster}: the cluster's addresses and an application id of its own,
 * and on request a state directory, a partition count, topic names of its own and a small memory. The keys are
 * written as users write them (this module cannot depend on topology, whose tests use it); topology's LtmConfigTest
 * checks that each is a key of LtmConfig.
 */
public final class NodeSettings {
    /** The keyed topics' settings, each named after its key. */
    public static final List<String> KEYED_TOPICS = List.of(
            "ltm.topic.events",
            "ltm.topic.tokens",
            "ltm.topic.queries",
            "ltm.topic.query.requests",
            "ltm.topic.control",
            "ltm.topic.responses",
            "ltm.topic.attention.requests",
            "ltm.topic.dlq",
            "ltm.topic.novelty",
            "ltm.topic.reread.requests");

    private final Map<String, Object> entries = new LinkedHashMap<>();

    /** The addresses of a cluster and an application id made of the prefix and a random UUID. */
    public NodeSettings(String bootstrapServers, String registryUrl, String applicationPrefix) {
        entries.put("bootstrap.servers", bootstrapServers);
        entries.put("schema.registry.url", registryUrl);
        entries.put("application.id", applicationPrefix + "-" + UUID.randomUUID());
    }

    /** The node's state in a directory of its own under {@code parent}. */
    public NodeSettings stateUnder(Path parent) {
        return set("state.dir", parent.resolve("state-" + UUID.randomUUID()).toString());
    }

    public NodeSettings partitions(int partitions) {
        return set("ltm.topic.partitions", partitions);
    }

    /** Keyed topics of this node's own (one suffix for all), so that tests on one broker do not share them. */
    public NodeSettings topicsOfItsOwn() {
        String suffix = "-" + UUID.randomUUID().toString().substring(0, 8);
        for (String t : KEYED_TOPICS) set(t, t.substring("ltm.topic.".length()) + suffix);
        return this;
    }

    public NodeSettings memory(SmallMemory memory) {
        entries.putAll(memory.entries());
        return this;
    }

    public NodeSettings set(String key, Object value) {
        entries.put(key, value);
        return this;
    }

    /** The application id, which names the node's consumer group and its changelog topics. */
    public String applicationId() {
        return (String) entries.get("application.id");
    }

    /** The settings so far, a copy. */
    public Map<String, Object> entries() {
        return new LinkedHashMap<>(entries);
    }
}
