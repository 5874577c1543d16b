// A probe run from it/src/test/java/io/ltm/it (not part of the suite): three nodes and an encode worker as child
// processes; each cycle sends 150 events, SIGKILLs a node and restarts it at once, and restarts the broker
// -Dprobe.gap ms later (plus 1.5 s more each cycle, mod 5); at the end every key must hold every token.
// Run: mvn -o -q -pl it verify -Dtest=NodeRestartProbeTest -Dprobe.cycles=10 -Dprobe.gap=300
package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.embedded.LocalRegistry;
import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.MemoryStateCodec;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeRestartProbeTest {
    @TempDir
    Path tmp;

    @Test
    void probe() throws Exception {
        int cycles = Integer.getInteger("probe.cycles", 6);
        long gapMs = Long.getLong("probe.gap", 700);
        LocalRegistry registry = LocalRegistry.start();
        int brokerPort = port();
        int controllerPort = port();
        Path dir = tmp.resolve("broker");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startPersistent(dir, brokerPort, controllerPort);
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, registry.url());
        m.put(LtmConfig.APPLICATION_ID, "probe-" + UUID.randomUUID());
        m.put(LtmConfig.TOPIC_PARTITIONS, 6);
        m.put(LtmConfig.ENCODER, "hashing");
        m.put(LtmConfig.ATTENTION_MODE, "inline");
        m.put(LtmConfig.MEMORY_DIM, 16);
        m.put(LtmConfig.MEMORY_BASIS_SIZE, 16);
        m.put(LtmConfig.MEMORY_BASIS_WIDTHS, "0.05,0.1");
        m.put(LtmConfig.MEMORY_CONTRACTION_LENGTH, 16);
        m.put(LtmConfig.MEMORY_SAMPLES, 16);
        m.put(LtmConfig.MEMORY_STICKY_BINS, 8);
        m.put(LtmConfig.MEMORY_STICKY, false);
        LtmConfig config = new LtmConfig(m);
        broker.createTopics(config.topicPartitions(), Map.of());
        String events = config.getString(LtmConfig.TOPIC_EVENTS);
        Map<String, Process> procs = new LinkedHashMap<>();
        for (String id : List.of("node-0", "node-1", "node-2", "encode")) procs.put(id, start(m, id));
        Map<String, Long> expected = new TreeMap<>();
        int sent = 0;
        boolean ok = false;
        try (HashingEncoder encoder = new HashingEncoder(16)) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            var ser = LtmSerdes.avro(TokenEvent.class, config.serdeConfig()).serializer();
            Thread.sleep(15_000);
            try (KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                for (int c = 0; c <= cycles; c++) {
                    for (int i = 0; i < 150; i++) {
                        String key = "k-" + (sent % 12);
                        String text = "disk full user login " + sent;
                        TokenEvent e = TokenEvent.newBuilder()
                                .setText(text)
                                .setSourceId("e" + sent)
                                .setEventTime(Instant.EPOCH.plusSeconds(sent))
                                .build();
                        producer.send(new ProducerRecord<>(events, key, ser.serialize(events, e)));
                        expected.merge(key, (long) encoder.countTokens(text), Long::sum);
                        sent++;
                        Thread.sleep(30);
                    }
                    producer.flush();
                    if (c == cycles) break;
                    String victim = "node-" + (c % 3);
                    procs.get(victim).destroyForcibly().waitFor();
                    procs.put(victim, start(m, victim));
                    long gap = gapMs + (c % 5) * 1_500L;
                    Thread.sleep(gap);
                    broker.close();
                    broker = EmbeddedKafkaBroker.startPersistent(dir, brokerPort, controllerPort);
                    System.out.printf("PROBE cycle %d: killed %s, broker restarted %d ms later%n", c, victim, gap);
                }
            }
            Map<String, Long> absorbed = new TreeMap<>();
            try (LtmClient client = new LtmClient(config)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                for (String key : expected.keySet()) {
                    long a = -1;
                    for (int probe = 0; a != expected.get(key) && System.nanoTime() < deadline; probe++) {
                        if (probe > 0) Thread.sleep(500);
                        float[] v = new float[32];
                        v[0] = 1;
                        MemoryResponse r = client.query(
                                MemoryQuery.newBuilder()
                                        .setQueryId("probe-" + key + "-" + probe)
                                        .setKey(key)
                                        .setVectors(MemoryStateCodec.block(v, 2, 16, CoefficientPrecision.FLOAT32))
                                        .setRequestedAt(Instant.EPOCH)
                                        .build(),
                                Duration.ofSeconds(60));
                        a = r.getStats() == null ? 0 : r.getStats().getTokensAbsorbed();
                    }
                    absorbed.put(key, a);
                }
            }
            System.out.println("PROBE expected " + expected + "\nPROBE absorbed " + absorbed);
            assertThat(absorbed).isEqualTo(expected);
            ok = true;
        } finally {
            for (Map.Entry<String, Process> e : procs.entrySet()) {
                System.out.println("PROBE " + e.getKey()
                        + (e.getValue().isAlive() ? " running" : " exited " + e.getValue().exitValue()));
            }
            procs.values().forEach(Process::destroyForcibly);
            if (!ok) {
                Path kept = Path.of("target", "probe-logs-" + System.currentTimeMillis());
                Files.createDirectories(kept);
                for (String id : procs.keySet()) Files.copy(tmp.resolve(id + ".log"), kept.resolve(id + ".log"));
                System.out.println("PROBE logs in " + kept.toAbsolutePath());
            }
            broker.close();
            registry.close();
        }
    }

    private Process start(Map<String, Object> config, String id) throws Exception {
        LtmCommand command = id.startsWith("node")
                ? LtmCommand.of("run")
                : LtmCommand.of("worker", "--role", id, "--instance-id", "probe-" + id);
        command.jvm("-Xmx384m")
                .settings(config)
                .settings(Map.of(LtmConfig.INSTANCE_ID, id, LtmConfig.STATE_DIR, tmp.resolve("state-" + id)));
        return command.startAppending(tmp.resolve(id + ".log"), List.of());
    }

    private static int port() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
