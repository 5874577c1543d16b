package io.ltm.topology.internal;

import io.ltm.schemas.DeadLetter;
import io.ltm.topology.api.LtmConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds the dead-letter record of an input record that could not be used: the original bytes plus the reason.
 * A dead letter is a record too: one that cannot be written fails the thread on the same input again and again,
 * so key, value and message are cut to {@link LtmConfig#DLQ_MAX_BYTES} each, and the dead letter keeps the
 * original sizes and the value's SHA-256 to identify what was cut.
 */
public final class DeadLetters {

    private final int maxBytes;

    DeadLetters(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    public static DeadLetters of(LtmConfig config) {
        return new DeadLetters(config.getInt(LtmConfig.DLQ_MAX_BYTES));
    }

    /** A record the node routed to its key's partition is named where its producer wrote it ({@link RoutedFrom}). */
    DeadLetter of(ProcessorContext<?, ?> context, Record<byte[], byte[]> record, Throwable error, String processor) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        RoutedFrom first = RoutedFrom.of(record.headers()).orElse(null);
        return of(
                meta == null ? "" : meta.topic(),
                first != null ? first.partition() : meta == null ? -1 : meta.partition(),
                first != null ? first.offset() : meta == null ? -1 : meta.offset(),
                record.timestamp(),
                record.key(),
                record.value(),
                error,
                processor,
                context.currentSystemTimeMs());
    }

    public DeadLetter of(ConsumerRecord<byte[], byte[]> record, Throwable error, String processor) {
        return of(
                record.topic(),
                record.partition(),
                record.offset(),
                record.timestamp(),
                record.key(),
                record.value(),
                error,
                processor,
                System.currentTimeMillis());
    }

    /** The Kafka key of a dead letter: the original key as text, cut like the key field. */
    public String recordKey(byte[] key) {
        return key == null ? null : new String(key, 0, Math.min(key.length, maxBytes), StandardCharsets.UTF_8);
    }

    private DeadLetter of(
            String topic,
            int partition,
            long offset,
            long timestamp,
            byte[] key,
            byte[] value,
            Throwable error,
            String processor,
            long now) {
        String message = String.valueOf(error.getMessage());
        boolean truncated = (key != null && key.length > maxBytes)
                || (value != null && value.length > maxBytes)
                || message.length() > maxBytes;
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setTimestamp(Instant.ofEpochMilli(timestamp))
                .setKey(cut(key))
                .setValue(cut(value))
                .setErrorClass(error.getClass().getName())
                .setErrorMessage(message.length() > maxBytes ? message.substring(0, maxBytes) : message)
                .setProcessor(processor)
                .setFailedAt(Instant.ofEpochMilli(now))
                .setTruncated(truncated)
                .setKeySize(key == null ? null : key.length)
                .setValueSize(value == null ? null : value.length)
                .setValueSha256(value == null ? null : ByteBuffer.wrap(sha256(value)))
                .build();
    }

    private ByteBuffer cut(byte[] b) {
        return b == null ? null : ByteBuffer.wrap(b.length > maxBytes ? Arrays.copyOf(b, maxBytes) : b);
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
