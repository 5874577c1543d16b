package io.ltm.topology.worker;

import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.internal.Failures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one key's events of a stretch of the events topic back by offset, for the second stage of a two-stage read:
 * its own consumer (no group, read_committed), assigned to the stretch's partition and positioned at its first
 * record. Records of other keys share the partition and are skipped; at most {@link LtmConfig#REREAD_MAX_RECORDS}
 * are scanned per stretch. The part of a stretch that the log's retention has already removed is reported, not
 * waited for.
 */
final class StretchReader implements AutoCloseable {

    /** One event of the key: its record and what it carried. */
    record Event(SourcePosition source, TokenEvent event) {}

    /** The events read, and what could not be read (null when the stretch was read whole). */
    record Stretch(List<Event> events, String missing) {}

    private final Consumer<String, byte[]> consumer;
    private final Deserializer<TokenEvent> events;
    private final int maxRecords;
    private final Duration timeout;

    StretchReader(LtmConfig config) {
        this(config, new KafkaConsumer<>(properties(config), new StringDeserializer(), new ByteArrayDeserializer()));
    }

    /** With a given consumer (tests pass a mock consumer). */
    StretchReader(LtmConfig config, Consumer<String, byte[]> consumer) {
        this.consumer = consumer;
        this.events = LtmSerdes.avro(TokenEvent.class, config.serdeConfig()).deserializer();
        this.maxRecords = config.getInt(LtmConfig.REREAD_MAX_RECORDS);
        this.timeout = Duration.ofMillis(config.getLong(LtmConfig.REREAD_TIMEOUT_MS));
    }

    private static Properties properties(LtmConfig config) {
        Properties p = new Properties();
        p.putAll(config.clientOverrides(ConsumerConfig.configNames()));
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // positions are always set by seek; an offset below the log start is checked before seeking
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return p;
    }

    /**
     * {@code key}'s events from record {@code from} to record {@code to} (inclusive; a {@code to} on another
     * partition reads {@code from}'s partition to its end). Throws Kafka's TimeoutException (the request is retried)
     * when the records do not arrive within {@link LtmConfig#REREAD_TIMEOUT_MS}.
     */
    Stretch read(String key, SourcePosition from, SourcePosition to) {
        TopicPartition tp = new TopicPartition(from.getTopic(), from.getPartition());
        List<PartitionInfo> partitions = consumer.partitionsFor(tp.topic(), timeout);
        if (partitions == null || partitions.stream().noneMatch(p -> p.partition() == tp.partition())) {
            // sources named by a producer that wrote ltm.tokens itself: nothing to re-read, and waiting cannot help
            return new Stretch(List.of(), "the log " + tp + " does not exist");
        }
        List<TopicPartition> one = List.of(tp);
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(one, timeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(one, timeout);
        long logStart = starts.getOrDefault(tp, 0L);
        long end = ends.getOrDefault(tp, 0L);
        boolean samePartition = tp.topic().equals(to.getTopic()) && tp.partition() == to.getPartition();
        long last = Math.min(end - 1, samePartition ? Math.max(to.getOffset(), from.getOffset()) : end - 1);
        long first = Math.max(from.getOffset(), logStart);
        List<Event> out = new ArrayList<>();
        String missing = null;
        if (logStart > from.getOffset()) {
            missing = logStart > last
                    ? "records " + tp + "@" + from.getOffset() + ".." + last + " are no longer in the log (retention)"
                    : "records " + tp + "@" + from.getOffset() + ".." + (logStart - 1)
                            + " are no longer in the log (retention)";
        }
        if (first > last) {
            return new Stretch(out, missing);
        }
        consumer.assign(one);
        consumer.seek(tp, first);
        long deadline = System.nanoTime() + timeout.toNanos();
        int scanned = 0;
        while (consumer.position(tp) <= last) {
            if (scanned >= maxRecords) {
                String cut = "stretch " + tp + "@" + first + ".." + last + " cut after " + maxRecords + " records ("
                        + LtmConfig.REREAD_MAX_RECORDS + ")";
                return new Stretch(out, missing == null ? cut : missing + "; " + cut);
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("re-reading " + tp + "@" + first + ".." + last + " took longer than "
                        + LtmConfig.REREAD_TIMEOUT_MS + " = " + timeout.toMillis() + " ms");
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.offset() > last) {
                    break;
                }
                scanned++;
                TokenEvent e = key.equals(r.key()) ? decode(r) : null;
                if (e != null) {
                    out.add(new Event(
                            SourcePosition.newBuilder()
                                    .setTopic(r.topic())
                                    .setPartition(r.partition())
                                    .setOffset(r.offset())
                                    .setTimestamp(eventTime(e, r))
                                    .setSourceId(e.getSourceId())
                                    .build(),
                            e));
                }
            }
        }
        return new Stretch(out, missing);
    }

    /** The event's own time when it carries one (as the encode worker records it), else the record's. */
    private static java.time.Instant eventTime(TokenEvent e, ConsumerRecord<String, byte[]> r) {
        return e.getEventTime() != null ? e.getEventTime() : java.time.Instant.ofEpochMilli(r.timestamp());
    }

    private TokenEvent decode(ConsumerRecord<String, byte[]> r) {
        try {
            return r.value() == null ? null : events.deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            if (Failures.isInfrastructure(e)) {
                throw e; // the registry is away: the request is retried
            }
            // a record the encode worker dead-lettered when it arrived: it is not in the memory either
            return null;
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
        events.close();
    }
}
