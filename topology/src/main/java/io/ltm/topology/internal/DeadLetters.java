package io.ltm.topology.internal;

import java.nio.ByteBuffer;
import java.time.Instant;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import io.ltm.schemas.DeadLetter;

/** Builds the dead-letter record of an input record that could not be used: the original bytes plus the reason. */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static DeadLetter of(ProcessorContext<?, ?> context, Record<byte[], byte[]> record, Throwable error,
                                String processor) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        return of(meta == null ? "" : meta.topic(), meta == null ? -1 : meta.partition(),
                meta == null ? -1 : meta.offset(), record.timestamp(), record.key(), record.value(), error, processor,
                context.currentSystemTimeMs());
    }

    public static DeadLetter of(ConsumerRecord<byte[], byte[]> record, Throwable error, String processor) {
        return of(record.topic(), record.partition(), record.offset(), record.timestamp(), record.key(),
                record.value(), error, processor, System.currentTimeMillis());
    }

    private static DeadLetter of(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                                 Throwable error, String processor, long now) {
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setTimestamp(Instant.ofEpochMilli(timestamp))
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setErrorClass(error.getClass().getName())
                .setErrorMessage(String.valueOf(error.getMessage()))
                .setProcessor(processor)
                .setFailedAt(Instant.ofEpochMilli(now))
                .build();
    }
}
