package io.ltm.topology.worker;

import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Mock clients for a worker, and helpers to build its input batches and read its output. */
final class WorkerHarness {

    private static final long TIMESTAMP = 1_700_000_000_000L;

    final LtmConfig config;
    final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    WorkerHarness(LtmConfig config) {
        this.config = config;
    }

    <T extends SpecificRecord> byte[] serialize(Class<T> type, String topic, T value) {
        return LtmSerdes.avro(type, config.serdeConfig()).serializer().serialize(topic, value);
    }

    WorkerHarness add(String topic, byte[] key, byte[] value) {
        records.add(new ConsumerRecord<>(
                topic,
                0,
                records.size(),
                TIMESTAMP + records.size(),
                TimestampType.CREATE_TIME,
                key == null ? -1 : key.length,
                value == null ? -1 : value.length,
                key,
                value,
                new RecordHeaders(),
                Optional.empty()));
        return this;
    }

    /** The records added so far, as one polled batch (records of one topic in one partition). */
    ConsumerRecords<byte[], byte[]> batch() {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> m = new java.util.LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            m.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>())
                    .add(r);
        }
        return new ConsumerRecords<>(m, Map.of());
    }

    <T extends SpecificRecord> List<T> values(List<ProducerRecord<String, byte[]>> out, String topic, Class<T> type) {
        return out.stream()
                .filter(r -> r.topic().equals(topic))
                .map(r -> LtmSerdes.avro(type, config.serdeConfig())
                        .deserializer()
                        .deserialize(topic, r.value()))
                .toList();
    }
}
