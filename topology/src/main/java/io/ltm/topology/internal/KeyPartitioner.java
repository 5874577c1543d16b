package io.ltm.topology.internal;

import io.ltm.topology.api.KeyPlacement;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Writes a record on its key's partition by the node's {@link KeyPlacement} (the partition whose task holds the key's
 * memory). Explicit, so a {@code partitioner.class} given for other reasons cannot move the routed queries away from
 * their memory.
 */
public final class KeyPartitioner implements StreamPartitioner<byte[], byte[]> {

    private final KeyPlacement placement;

    /** The repartition topic's partition count, learnt from the first record sent (0 until then). */
    private volatile int partitionCount;

    public KeyPartitioner(KeyPlacement placement) {
        this.placement = placement;
    }

    /**
     * Places records whose key is a memory key as a String (written as its UTF-8 bytes) by {@code placement}, on the
     * partition of the key's memory.
     */
    public static <V> StreamPartitioner<String, V> ofStringKeys(KeyPlacement placement) {
        return (topic, key, value, partitions) -> key == null
                ? Optional.empty()
                : Optional.of(Set.of(placement.partition(key.getBytes(StandardCharsets.UTF_8), partitions)));
    }

    /** The partition of {@code key} among {@code partitions}. */
    int partition(byte[] key, int partitions) {
        return placement.partition(key, partitions);
    }

    /** The partition count of the topic this partitioner writes, once it has written a record; else 0. */
    int partitionCount() {
        return partitionCount;
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
        partitionCount = numPartitions;
        // a record without a key has no memory; it goes to the dead-letter topic from whichever task reads it
        return key == null ? Optional.empty() : Optional.of(Set.of(partition(key, numPartitions)));
    }
}
