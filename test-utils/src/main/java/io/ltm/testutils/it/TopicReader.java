package io.ltm.testutils.it;

import io.ltm.schemas.serde.LtmSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one topic of ours (responses, dead letters, tokens) from its beginning as the memory node would: committed
 * records only, in a consumer group of its own, large records included. Keeps every record it has read.
 */
public final class TopicReader<V extends SpecificRecord> implements AutoCloseable {
    /** Fetches up to the largest record a test writes (a dead letter of a multi-megabyte value). */
    private static final int MAX_FETCH_BYTES = 10 << 20;

    private final KafkaConsumer<String, V> consumer;
    private final List<ConsumerRecord<String, V>> records = new ArrayList<>();

    /** serdeConfig: where the registry is (the node's or the cluster's serde configuration). */
    public TopicReader(String bootstrapServers, String topic, Class<V> type, Map<String, ?> serdeConfig) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_FETCH_BYTES);
        consumer = new KafkaConsumer<>(
                c, new StringDeserializer(), LtmSerdes.avro(type, serdeConfig).deserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Reads for this long. */
    public void poll(Duration duration) {
        for (ConsumerRecord<String, V> r : consumer.poll(duration)) records.add(r);
    }

    /**
     * Reads until {@code count} values in all, or the timeout; then on for {@code settle}, since anything beyond the
     * count would be a duplicate. Returns every value read.
     */
    public List<V> readUpTo(int count, Duration timeout, Duration settle) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (records.size() < count && System.nanoTime() < deadline) poll(Duration.ofMillis(200));
        poll(settle);
        return values();
    }

    /** Reads until {@code count} values in all; fails at the timeout. */
    public int awaitCount(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (records.size() < count) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("only " + records.size() + " of " + count + " records after " + timeout);
            poll(Duration.ofMillis(100));
        }
        return records.size();
    }

    /** The first value read that matches, reading on until one does; fails at the timeout. */
    public V await(Predicate<V> match, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<V> found =
                    records.stream().map(ConsumerRecord::value).filter(match).findFirst();
            if (found.isPresent()) return found.get();
            if (System.nanoTime() > deadline)
                throw new AssertionError("no " + what + " within " + timeout + " among " + records.size() + " read");
            poll(Duration.ofMillis(100));
        }
    }

    /** Every value read so far, in order of arrival. */
    public List<V> values() {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    /** Every record read so far (key, value, position), in order of arrival. */
    public List<ConsumerRecord<String, V>> records() {
        return List.copyOf(records);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
