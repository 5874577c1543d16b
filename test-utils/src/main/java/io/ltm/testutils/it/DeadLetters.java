package io.ltm.testutils.it;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Counts what a dead-letter topic holds, for the tests whose claim is that nothing was dead-lettered. */
public final class DeadLetters {
    private DeadLetters() {}

    /**
     * The committed records on the topic, every partition from its beginning, read until 3 s pass without one (a
     * record still being written would otherwise be missed).
     */
    public static int count(String bootstrapServers, String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        int n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(all);
            consumer.seekToBeginning(all);
            int got;
            do {
                got = consumer.poll(Duration.ofSeconds(3)).count();
                n += got;
            } while (got > 0);
        }
        return n;
    }
}
