package org.apache.kafka.streams;

import java.util.Collection;
import org.apache.kafka.streams.processor.internals.InternalTopicProperties;

/**
 * The two things the DSL's {@code repartition()} and joins do that {@link Topology}'s public API cannot: declare an
 * internal topic (created and sized by Streams, named {application.id}-NAME, purged after each commit) and group
 * sources as co-partitioned. The memory node is built with the Processor API so that it can join a user's own
 * {@link Topology}; this class lives in Kafka's package only to reach the builder the DSL uses (a protected field),
 * compile-checked rather than through reflection.
 */
public final class LtmInternalTopics {

    private LtmInternalTopics() {}

    /** Declares {@code name} as an internal topic whose partition count Streams derives (from co-partitioning). */
    public static void declare(Topology topology, String name) {
        topology.internalTopologyBuilder.addInternalTopic(name, InternalTopicProperties.empty());
    }

    /** The named source nodes' topics must have the same partition count; internal ones are created to match. */
    public static void copartition(Topology topology, Collection<String> sourceNodes) {
        topology.internalTopologyBuilder.copartitionSources(sourceNodes);
    }
}
