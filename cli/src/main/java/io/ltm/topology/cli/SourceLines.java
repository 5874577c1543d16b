package io.ltm.topology.cli;

import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The original text of the events a span points to, read back from the topic by offset (the memory keeps
 * positions, not text). Used by {@code ltm query} and the demo alike.
 */
final class SourceLines implements AnswerPrinter.Texts, AutoCloseable {

    /** Events printed per span at most; the rest is counted. */
    static final int MAX_LINES = 4;
    /** Longest line printed; longer ones are cut. */
    static final int MAX_CHARS = 150;
    /** Records read per span at most: other keys share the partition, so a span's offsets are not contiguous. */
    private static final int MAX_SCAN = 2_000;

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<TokenEvent> events;

    SourceLines(LtmConfig config) {
        Properties p = new Properties();
        p.putAll(config.clientOverrides(ConsumerConfig.configNames()));
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.events = LtmSerdes.avro(TokenEvent.class, config.serdeConfig()).deserializer();
    }

    /**
     * The texts of {@code key}'s events from {@code from} to {@code to} (inclusive, same partition), at most
     * {@link #MAX_LINES}, then a line that counts the others; empty when the positions point nowhere readable.
     */
    @Override
    public List<String> between(String key, SourcePosition from, SourcePosition to) {
        if (from == null || from.getTopic() == null) {
            return List.of();
        }
        long last = to == null
                        || !Objects.equals(to.getTopic(), from.getTopic())
                        || to.getPartition() != from.getPartition()
                ? from.getOffset()
                : Math.max(to.getOffset(), from.getOffset());
        List<String> texts =
                read(key, new TopicPartition(from.getTopic(), from.getPartition()), from.getOffset(), last);
        List<String> out = new ArrayList<>();
        texts.stream().limit(MAX_LINES).forEach(t -> out.add(cut(t)));
        if (texts.size() > MAX_LINES) {
            out.add("... (" + (texts.size() - MAX_LINES) + " more events)");
        }
        return out;
    }

    /** The text of the one event at {@code at}, or null. */
    @Override
    public String at(String key, SourcePosition at) {
        if (at == null || at.getTopic() == null) {
            return null;
        }
        List<String> t =
                read(key, new TopicPartition(at.getTopic(), at.getPartition()), at.getOffset(), at.getOffset());
        return t.isEmpty() ? null : cut(t.get(0));
    }

    private List<String> read(String key, TopicPartition tp, long first, long last) {
        List<String> out = new ArrayList<>();
        try {
            consumer.assign(List.of(tp));
            consumer.seek(tp, first);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            int scanned = 0;
            while (System.nanoTime() < deadline && scanned < MAX_SCAN) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() > last) {
                        return out;
                    }
                    scanned++;
                    String text = text(r);
                    if (key.equals(r.key()) && text != null) {
                        out.add(text);
                    }
                }
                if (consumer.position(tp) > last) {
                    return out;
                }
            }
        } catch (RuntimeException e) {
            // the answer is still worth printing without its text (topic deleted, records expired, ...)
        }
        return out;
    }

    private String text(ConsumerRecord<String, byte[]> r) {
        try {
            TokenEvent e = r.value() == null ? null : events.deserialize(r.topic(), r.value());
            return e == null || e.getText() == null ? null : e.getText().toString();
        } catch (RuntimeException notAnEvent) {
            return null; // a record of another kind, or bad bytes that went to the dead-letter topic
        }
    }

    /** A line as printed: stripped, cut to {@link #MAX_CHARS}. */
    static String cut(String line) {
        String l = line.strip();
        return l.length() > MAX_CHARS ? l.substring(0, MAX_CHARS - 3) + "..." : l;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
        events.close();
    }
}
