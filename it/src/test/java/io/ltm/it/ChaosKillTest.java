package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.registry.LocalRegistry;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.codec.MemoryStateCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite: three memory nodes as separate JVMs ({@code ltm run}, static membership, one standby replica)
 * take a paced stream of token events for many keys while queries flow; a random node is killed with SIGKILL at
 * random points, at least 10 times, and restarted (at once or after a pause). Afterwards every key's answers to
 * fixed queries (spans, short-term hits, stats) are bit-identical to those of an undisturbed node that read the same
 * stream, and every query sent during the chaos has exactly one committed response.
 *
 * <p>Sticky memories are off: with them a read changes the memory, and when a query is read relative to the token
 * events of its key depends on fetch timing, so two runs would legitimately differ. {@code -Dltm.chaos.long=true}
 * runs a longer variant (more events, 40 kills).
 */
class ChaosKillTest {
    static final boolean LONG = Boolean.getBoolean("ltm.chaos.long");
    static final int PARTITIONS = 6;
    static final int DIM = 16;
    static final int KEYS = 12;
    static final int EVENTS = LONG ? 12_000 : 2_400;
    static final int KILLS = LONG ? 40 : 10;
    /** The stream is paced over this long, so that the kills fall during ingest (a kill every few seconds). */
    static final int INGEST_SECONDS = LONG ? 400 : 90;

    static final int PACE_EVERY = 50;
    static final int NODES = 3;
    static final int FIXED_QUERIES_PER_KEY = 3;
    static final Instant EVENT_TIME = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void answersAfterRepeatedSigkillsOfNodesAreBitIdenticalToAnUndisturbedRun() throws Exception {
        Random rnd = new Random(42);
        List<Map.Entry<String, EncodedTokens>> stream = new ArrayList<>();
        Map<String, Long> tokensPerKey = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            String key = "chaos-" + rnd.nextInt(KEYS);
            EncodedTokens t = tokens(rnd, 1 + rnd.nextInt(12), i);
            stream.add(Map.entry(key, t));
            tokensPerKey.merge(key, (long) t.getVectors().getCount(), Long::sum);
        }
        List<MemoryQuery> fixed = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            for (int q = 0; q < FIXED_QUERIES_PER_KEY; q++) {
                fixed.add(query("fixed-" + k + "-" + q, "chaos-" + k, rnd, 2));
            }
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                LocalRegistry registry = LocalRegistry.start()) {
            Map<String, String> reference = reference(broker, registry, stream, fixed);
            for (MemoryQuery q : fixed) { // the reference itself: every key found, with all its tokens
                assertThat(reference.get(q.getQueryId()))
                        .contains("\"found\": true")
                        .contains("\"tokensAbsorbed\": " + tokensPerKey.get(q.getKey()) + ",");
            }

            Map<String, Object> m = config(broker, registry, "chaos");
            LtmConfig config = new LtmConfig(m);
            broker.createTopics(config.topicPartitions(), Map.of());
            Map<String, Process> nodes = new LinkedHashMap<>();
            List<String> inFlight = new ArrayList<>();
            int kills = 0;
            int killsOfTaskHolders = 0;
            long t0 = System.nanoTime();
            try (Writer writer = new Writer(config);
                    Admin admin = broker.admin()) {
                for (int n = 0; n < NODES; n++) {
                    nodes.put("node-" + n, startNode(m, "node-" + n, 0));
                }
                int perKill = EVENTS / (KILLS + 1);
                int nextKill = perKill / 2 + rnd.nextInt(perKill);
                for (int i = 0; i < EVENTS; i++) {
                    Map.Entry<String, EncodedTokens> e = stream.get(i);
                    writer.send(e.getKey(), e.getValue());
                    if (i % 20 == 0) {
                        MemoryQuery q = query("inflight-" + i, e.getKey(), rnd, 1);
                        inFlight.add(q.getQueryId());
                        writer.send(q);
                    }
                    if (i == nextKill && kills < KILLS) {
                        writer.flush();
                        // a random node among those holding tasks, so that most kills hit work in progress
                        List<String> holders = taskHolders(admin, config.getString(LtmConfig.APPLICATION_ID));
                        String victim = holders.isEmpty()
                                ? "node-" + rnd.nextInt(NODES)
                                : holders.get(rnd.nextInt(holders.size()));
                        boolean heldTasks = holders.contains(victim);
                        nodes.get(victim).destroyForcibly().waitFor();
                        killsOfTaskHolders += heldTasks ? 1 : 0;
                        kills++;
                        // half restart at once (static membership: the same member comes back), half after a pause
                        // long enough for the group to notice (session timeout) and move the tasks to a standby
                        long pauseMs = rnd.nextBoolean() ? 0 : 3_000 + rnd.nextInt(9_000);
                        nodes.put(victim, startNode(m, victim, pauseMs));
                        nextKill = i + perKill / 2 + rnd.nextInt(perKill);
                    }
                    if (i % PACE_EVERY == 0) {
                        Thread.sleep(INGEST_SECONDS * 1000L * PACE_EVERY / EVENTS);
                    }
                }
                writer.flush();
                assertThat(kills).isGreaterThanOrEqualTo(KILLS);
                double ingestSeconds = (System.nanoTime() - t0) / 1e9;

                Map<String, String> answers = answers(config, fixed, Duration.ofSeconds(180));
                assertThat(answers).as("answers after %d SIGKILLs", kills).isEqualTo(reference);

                Map<String, Integer> responses = responseCounts(config, inFlight.size() + fixed.size());
                for (String id : inFlight) {
                    assertThat(responses.get(id))
                            .as("committed responses to %s", id)
                            .isEqualTo(1);
                }
                assertThat(killsOfTaskHolders)
                        .as("kills of a node that held tasks")
                        .isPositive();
                System.out.printf(
                        "CHAOS: %d token events (%d keys, %d partitions) to %d nodes, %d SIGKILLs during"
                                + " %.1f s of ingest (%d of a node holding tasks in the group); %d fixed answers bit-identical to an undisturbed run; %d queries"
                                + " in flight, each with exactly one committed response; %.1f s in all%n",
                        EVENTS,
                        KEYS,
                        PARTITIONS,
                        NODES,
                        kills,
                        ingestSeconds,
                        killsOfTaskHolders,
                        fixed.size(),
                        inFlight.size(),
                        (System.nanoTime() - t0) / 1e9);
            } finally {
                nodes.values().forEach(Process::destroyForcibly);
                for (Process p : nodes.values()) p.waitFor();
            }
        }
    }

    /** The same stream through one in-process node that nobody disturbs: the answers to compare with. */
    private Map<String, String> reference(
            EmbeddedKafkaBroker broker,
            LocalRegistry registry,
            List<Map.Entry<String, EncodedTokens>> stream,
            List<MemoryQuery> fixed)
            throws Exception {
        Map<String, Object> m = config(broker, registry, "reference");
        m.put(LtmConfig.STATE_DIR, tmp.resolve("state-reference").toString());
        LtmConfig config = new LtmConfig(m);
        broker.createTopics(config.topicPartitions(), Map.of());
        try (HashingEncoder encoder = new HashingEncoder(DIM);
                MemoryNode node = MemoryNode.start(config, encoder);
                Writer writer = new Writer(config)) {
            node.awaitRunning(Duration.ofSeconds(60));
            for (Map.Entry<String, EncodedTokens> e : stream) {
                writer.send(e.getKey(), e.getValue());
            }
            writer.flush();
            return answers(config, fixed, Duration.ofSeconds(120));
        }
    }

    private Map<String, Object> config(EmbeddedKafkaBroker broker, LocalRegistry registry, String run) {
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, registry.url());
        m.put(LtmConfig.APPLICATION_ID, run + "-" + UUID.randomUUID());
        String suffix = "-" + run;
        for (String t : List.of(
                LtmConfig.TOPIC_EVENTS,
                LtmConfig.TOPIC_TOKENS,
                LtmConfig.TOPIC_QUERIES,
                LtmConfig.TOPIC_QUERY_REQUESTS,
                LtmConfig.TOPIC_CONTROL,
                LtmConfig.TOPIC_RESPONSES,
                LtmConfig.TOPIC_ATTENTION_REQUESTS,
                LtmConfig.TOPIC_DLQ,
                LtmConfig.TOPIC_NOVELTY)) {
            m.put(t, t.substring("ltm.topic.".length()) + suffix);
        }
        m.put(LtmConfig.TOPIC_PARTITIONS, PARTITIONS);
        m.put(LtmConfig.ENCODER, "hashing");
        m.put(LtmConfig.MEMORY_DIM, DIM);
        m.put(LtmConfig.MEMORY_BASIS_SIZE, 16);
        m.put(LtmConfig.MEMORY_BASIS_WIDTHS, "0.05,0.1");
        m.put(LtmConfig.MEMORY_CONTRACTION_LENGTH, 16);
        m.put(LtmConfig.MEMORY_SAMPLES, 16);
        m.put(LtmConfig.MEMORY_STICKY_BINS, 8);
        m.put(LtmConfig.MEMORY_STICKY, false);
        return m;
    }

    /**
     * Asks the fixed queries (retrying while a key's partitions are moving) and answers, per query id, what a
     * correct memory must reproduce exactly: everything but the query id and who answered when.
     */
    private static Map<String, String> answers(LtmConfig config, List<MemoryQuery> fixed, Duration timeout)
            throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (LtmClient client = new LtmClient(config)) {
            for (MemoryQuery q : fixed) {
                MemoryResponse r = client.query(q, timeout);
                MemoryResponse same = MemoryResponse.newBuilder(r)
                        .setQueryId("")
                        .setAnsweredBy(null)
                        .setAnsweredAt(Instant.EPOCH)
                        .build();
                out.put(q.getQueryId(), same.toString());
            }
        }
        return out;
    }

    /** The nodes (instance ids) that hold partitions in the group's current assignment, sorted. */
    private static List<String> taskHolders(Admin admin, String group) throws Exception {
        try {
            ConsumerGroupDescription d =
                    admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            // Streams' group.instance.id is ltm.instance.id plus "-" and the thread's number: node-1-1
            return d.members().stream()
                    .filter(mb -> !mb.assignment().topicPartitions().isEmpty())
                    .map(mb -> mb.groupInstanceId().orElse(""))
                    .filter(id -> id.matches("node-\\d+-.*"))
                    .map(id -> id.substring(0, id.indexOf('-', "node-".length())))
                    .distinct()
                    .sorted()
                    .toList();
        } catch (java.util.concurrent.ExecutionException e) {
            return List.of(); // no group yet: the nodes are still starting
        }
    }

    private static Map<String, Integer> responseCounts(LtmConfig config, int atLeast) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "responses-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, MemoryResponse> consumer = new KafkaConsumer<>(
                c,
                new StringDeserializer(),
                LtmSerdes.avro(MemoryResponse.class, config.serdeConfig()).deserializer())) {
            consumer.subscribe(List.of(config.getString(LtmConfig.TOPIC_RESPONSES)));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            int total = 0;
            while (total < atLeast && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, MemoryResponse> r : consumer.poll(Duration.ofMillis(200))) {
                    counts.merge(r.value().getQueryId(), 1, Integer::sum);
                    total++;
                }
            }
            // a duplicate would come after the first: read on a little
            for (ConsumerRecord<String, MemoryResponse> r : consumer.poll(Duration.ofMillis(2000))) {
                counts.merge(r.value().getQueryId(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Writes token events and queries, Avro in the wire format, with the Java producer's partitioner. */
    private static final class Writer implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final Serializer<EncodedTokens> tokens;
        private final Serializer<MemoryQuery> queries;
        private final String tokensTopic;
        private final String queriesTopic;

        Writer(LtmConfig config) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
            tokens = LtmSerdes.avro(EncodedTokens.class, config.serdeConfig()).serializer();
            queries = LtmSerdes.avro(MemoryQuery.class, config.serdeConfig()).serializer();
            tokensTopic = config.getString(LtmConfig.TOPIC_TOKENS);
            queriesTopic = config.getString(LtmConfig.TOPIC_QUERIES);
        }

        void send(String key, EncodedTokens value) {
            producer.send(new ProducerRecord<>(tokensTopic, key, tokens.serialize(tokensTopic, value)));
        }

        void send(MemoryQuery q) {
            producer.send(new ProducerRecord<>(queriesTopic, q.getKey(), queries.serialize(queriesTopic, q)));
        }

        void flush() {
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    private Process startNode(Map<String, Object> config, String instanceId, long pauseMs) throws Exception {
        List<String> java = List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx384m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.ltm.topology.cli.LtmCli",
                "run");
        List<String> cmd = new ArrayList<>();
        if (pauseMs > 0) { // the pause runs in the child, so the stream goes on meanwhile
            cmd.addAll(List.of("/bin/sh", "-c", "sleep " + pauseMs / 1000.0 + " && exec \"$@\"", "node"));
        }
        cmd.addAll(java);
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-D" + LtmConfig.INSTANCE_ID + "=" + instanceId);
        cmd.add("-D" + LtmConfig.STATE_DIR + "=" + tmp.resolve("state-" + instanceId));
        Path log = tmp.resolve(instanceId + ".log");
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private static EncodedTokens tokens(Random rnd, int count, int seq) {
        float[] v = new float[count * DIM];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return EncodedTokens.newBuilder()
                .setVectors(MemoryStateCodec.block(v, count, DIM, CoefficientPrecision.FLOAT32))
                .setSource(SourcePosition.newBuilder()
                        .setTopic("chaos-source")
                        .setPartition(0)
                        .setOffset(seq)
                        .setTimestamp(EVENT_TIME.plusSeconds(seq))
                        .setSourceId("e" + seq)
                        .build())
                .build();
    }

    private static MemoryQuery query(String id, String key, Random rnd, int spans) {
        float[] v = new float[2 * DIM];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return MemoryQuery.newBuilder()
                .setQueryId(id)
                .setKey(key)
                .setVectors(MemoryStateCodec.block(v, 2, DIM, CoefficientPrecision.FLOAT32))
                .setOptions(QueryOptions.newBuilder().setSpans(spans).build())
                .setRequestedAt(EVENT_TIME)
                .build();
    }
}
