package io.ltm.topology.internal;

import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * murmur2 of the key bytes, exactly as the Java producer's default partitioner places a keyed record: the
 * partition the tokens written by Java clients (and the encode worker) are on. Explicit, so a
 * {@code partitioner.class} given for other reasons cannot move the repartitioned queries away from their memory.
 */
public final class KeyPartitioner implements StreamPartitioner<byte[], byte[]> {

    /** The repartition topic's partition count, learnt from the first record sent (0 until then). */
    private volatile int partitionCount;

    /** The partition of {@code key} among {@code partitions}, as the Java producer chooses it. */
    public static int partition(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
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
