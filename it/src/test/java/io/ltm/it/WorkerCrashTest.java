package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.registry.LocalRegistry;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encode worker is killed (SIGKILL, a separate JVM) in the middle of a stream of small transactions and
 * restarted with the same instance id: every event ends up encoded exactly once on the tokens topic, as a
 * read_committed consumer (the memory node) sees it.
 */
class WorkerCrashTest {

    private static final int EVENTS = 3000;

    @TempDir
    Path tmp;

    @Test
    void aWorkerKilledMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                LocalRegistry registry = LocalRegistry.start()) {
            Map<String, Object> m = new HashMap<>();
            m.put(LtmConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            m.put(LtmConfig.SCHEMA_REGISTRY_URL, registry.url());
            m.put(LtmConfig.APPLICATION_ID, "crash-" + UUID.randomUUID());
            m.put(LtmConfig.ENCODER, "hashing");
            m.put(LtmConfig.MEMORY_DIM, 16);
            m.put(LtmConfig.WORKER_MAX_BATCH_RECORDS, 5);
            LtmConfig config = new LtmConfig(m);
            broker.createTopics(config.topicPartitions(), Map.of());
            try (LtmClient client = new LtmClient(config)) {
                for (int i = 0; i < EVENTS; i++) {
                    client.sendTextAsync("key-" + (i % 7), "event number " + i + " of the stream", String.valueOf(i));
                }
                client.flush();
            }

            Process first = startWorker(m, "first.log");
            Map<String, Integer> seen;
            try (Reader reader = new Reader(config)) {
                int atKill = reader.awaitAtLeast(EVENTS / 10, Duration.ofSeconds(90));
                first.destroyForcibly().waitFor();
                assertThat(atKill).as("killed before the worker finished").isLessThan(EVENTS);

                Process second = startWorker(m, "second.log");
                try {
                    reader.awaitAtLeast(EVENTS, Duration.ofSeconds(120));
                    reader.drain(Duration.ofSeconds(2));
                } finally {
                    second.destroy();
                    second.waitFor();
                }
                seen = reader.counts;
            }
            assertThat(seen).hasSize(EVENTS);
            assertThat(seen.values()).allMatch(n -> n == 1);
        }
    }

    private Process startWorker(Map<String, Object> config, String log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "io.ltm.topology.cli.LtmCli",
                "worker",
                "--role",
                "encode",
                "--instance-id",
                "crash-test"));
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        File out = tmp.resolve(log).toFile();
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out)
                .start();
    }

    /** A read_committed consumer of the tokens topic that counts each source event id. */
    private static final class Reader implements AutoCloseable {
        private final KafkaConsumer<String, EncodedTokens> consumer;
        final Map<String, Integer> counts = new HashMap<>();

        Reader(LtmConfig config) {
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(
                    c,
                    new StringDeserializer(),
                    LtmSerdes.avro(EncodedTokens.class, config.serdeConfig()).deserializer());
            consumer.subscribe(List.of(config.getString(LtmConfig.TOPIC_TOKENS)));
        }

        int awaitAtLeast(int n, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (total() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + total() + " of " + n + " encoded events after " + timeout);
                }
                drain(Duration.ofMillis(100));
            }
            return total();
        }

        void drain(Duration d) {
            for (ConsumerRecord<String, EncodedTokens> r : consumer.poll(d)) {
                counts.merge(r.value().getSource().getSourceId(), 1, Integer::sum);
            }
        }

        private int total() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
