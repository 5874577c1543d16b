package org.apache.kafka.streams;

import java.util.Collection;

/**
 * What the DSL's joins do that {@link Topology}'s public API cannot: group sources as co-partitioned, so that Streams
 * refuses to assign tasks when their topics' partition counts differ. The memory node is built with the Processor API
 * so that it can join a user's own {@link Topology}; this class lives in Kafka's package only to reach the builder the
 * DSL uses (a protected field), compile-checked rather than through reflection.
 */
public final class LtmInternalTopics {

    private LtmInternalTopics() {}

    /** The named source nodes' topics must have the same partition count (Streams checks it at assignment). */
    public static void copartition(Topology topology, Collection<String> sourceNodes) {
        topology.internalTopologyBuilder.copartitionSources(sourceNodes);
    }
}
