package io.ltm.topology.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;

/**
 * {@value LtmConfig#KEY_PLACEMENT}: the partition of the input topics on which a key's records belong, the partition
 * whose task holds the key's memory. Tokens must be written there (the encode worker and the commands do); a query or
 * control command found on another partition is written again to it, which costs that record one more commit.
 *
 * <p>Also a Kafka {@link Partitioner}: a Java producer whose {@code partitioner.class} is the placement's class places
 * keys as the node expects them (records without a key on a random partition, as librdkafka's consistent_random does).
 */
public interface KeyPlacement extends Partitioner {

    /** The partition of {@code key} (its bytes as written) among {@code partitions}. */
    int partition(byte[] key, int partitions);

    /** The value of {@value LtmConfig#KEY_PLACEMENT} that names this placement. */
    String configValue();

    @Override
    default int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        int partitions = cluster.partitionCountForTopic(topic);
        return keyBytes == null ? ThreadLocalRandom.current().nextInt(partitions) : partition(keyBytes, partitions);
    }

    @Override
    default void configure(Map<String, ?> configs) {}

    @Override
    default void close() {}

    /** Every placement, by its configuration value. */
    static List<KeyPlacement> all() {
        return List.of(new Murmur2Placement(), new Crc32Placement());
    }

    /** The placement a configuration value names; IllegalArgumentException for any other. */
    static KeyPlacement of(String configValue) {
        for (KeyPlacement p : all()) {
            if (p.configValue().equals(configValue)) return p;
        }
        throw new IllegalArgumentException("unknown key placement '" + configValue + "': one of "
                + all().stream().map(KeyPlacement::configValue).toList());
    }
}
