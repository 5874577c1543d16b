package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.TopicProvisioner;
import io.ltm.topology.api.UserFacingException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The provisioner against a real broker: what it creates, with which partition counts, and when it refuses. */
class TopicProvisionerTest {

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static LtmConfig config(String prefix, Map<String, Object> extra) {
        Map<String, Object> m = new java.util.HashMap<>(
                Map.of(LtmConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(), LtmConfig.TOPIC_PARTITIONS, 2));
        for (String k : new String[] {
            LtmConfig.TOPIC_EVENTS,
            LtmConfig.TOPIC_TOKENS,
            LtmConfig.TOPIC_QUERIES,
            LtmConfig.TOPIC_QUERY_REQUESTS,
            LtmConfig.TOPIC_CONTROL,
            LtmConfig.TOPIC_RESPONSES,
            LtmConfig.TOPIC_ATTENTION_REQUESTS,
            LtmConfig.TOPIC_DLQ,
            LtmConfig.TOPIC_NOVELTY
        }) {
            m.put(k, prefix + "." + k.substring("ltm.topic.".length()));
        }
        m.putAll(extra);
        return new LtmConfig(m);
    }

    @Test
    void missingTokenQueryAndControlTopicsJoinTheExistingOnesPartitionCountAndASecondRunCreatesNothing() {
        LtmConfig c = config("adopt", Map.of());
        broker.createTopic(c.getString(LtmConfig.TOPIC_TOKENS), 3);

        TopicProvisioner.Topics first = TopicProvisioner.ensure(c, TIMEOUT);
        assertThat(first.created()).hasSize(c.topicPartitions().size() - 1);
        assertThat(first.partitions())
                .containsEntry(c.getString(LtmConfig.TOPIC_TOKENS), 3)
                .containsEntry(c.getString(LtmConfig.TOPIC_QUERIES), 3) // co-partitioned with tokens
                .containsEntry(c.getString(LtmConfig.TOPIC_CONTROL), 3)
                .containsEntry(c.getString(LtmConfig.TOPIC_EVENTS), 2) // not keyed together: the configured count
                .containsEntry(c.getString(LtmConfig.TOPIC_DLQ), 2);
        assertThat(first.retentionMs())
                .containsEntry(c.getString(LtmConfig.TOPIC_EVENTS), c.getLong(LtmConfig.TOPIC_RETENTION_MS));

        TopicProvisioner.Topics again = TopicProvisioner.ensure(c, TIMEOUT);
        assertThat(again.created()).isEmpty();
        assertThat(again.partitions()).isEqualTo(first.partitions());
    }

    @Test
    void aReplicationFactorTheClusterCannotHaveIsOneLineNamingTheKey() {
        LtmConfig c = config("replicas", Map.of(LtmConfig.TOPIC_REPLICATION, "3"));
        assertThatThrownBy(() -> TopicProvisioner.ensure(c, TIMEOUT))
                .isInstanceOf(UserFacingException.class)
                .hasMessageContaining("replication factor 3")
                .hasMessageContaining(LtmConfig.TOPIC_REPLICATION)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
