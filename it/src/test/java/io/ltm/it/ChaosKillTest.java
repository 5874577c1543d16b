package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.embedded.LocalRegistry;
import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.testutils.it.DeadLetters;
import io.ltm.topology.api.AttentionMode;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.codec.MemoryStateCodec;
import io.ltm.topology.internal.Responses;
import io.ltm.topology.worker.AttentionWorker;
import io.ltm.topology.worker.EncodeWorker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite: three memory nodes ({@code ltm run}, static membership, one standby replica), an encode worker and
 * an attention worker ({@code ltm worker --role encode|attend}), each a separate JVM, take a paced stream of text
 * events for many keys while queries flow (answered by the attention worker). At random points, at least 10 times, a
 * process is killed with SIGKILL and restarted (at once or after a pause): mostly a node holding tasks, every fifth
 * kill the encode worker and every fifth the attention worker. Once, halfway, the broker itself is shut down and
 * started again on the same ports and log directories. Afterwards every key's answers to fixed queries (spans,
 * short-term hits, stats) are bit-identical to those of a node and workers that nobody disturbed and that read the
 * same stream on a broker of their own, every query sent during the chaos has exactly one committed response, and
 * nothing was dead-lettered.
 *
 * <p>In a second variant the nodes answer the queries themselves ({@code ltm.attention.mode=inline}, no attention
 * worker): in the stream thread, in the transaction that consumes the query, so a SIGKILL aborts both and the query
 * is read again. By default it is a smaller run (480 events over 16 s, two nodes, four kills, no broker restart) to
 * keep the suite's time down.
 *
 * <p>Sticky memories are off: with them a read changes the memory, and when a query is read relative to the token
 * events of its key depends on fetch timing, so two runs would legitimately differ. {@code -Dltm.chaos.long=true}
 * runs longer variants (more events, 40 kills, each with three nodes and a broker restart).
 */
class ChaosKillTest {
    static final boolean LONG = Boolean.getBoolean("ltm.chaos.long");
    static final int PARTITIONS = 6;
    static final int DIM = 16;
    static final int KEYS = 12;

    static final int PACE_EVERY = 50;
    /** Of each child's warnings and of its last lines, how many a failed run prints. */
    static final int LOG_LINES_SHOWN = 40;

    static final int FIXED_QUERIES_PER_KEY = 3;
    static final Instant EVENT_TIME = Instant.parse("2026-01-01T00:00:00Z");
    static final String NODE = "node";
    static final String ENCODE = "encode";
    static final String ATTEND = "attend";

    /**
     * One run of the suite: who answers the queries, {@code events} paced over {@code ingestSeconds} (so that the
     * kills fall during ingest, a kill every few seconds), {@code kills} SIGKILLs hitting in turn the kinds of
     * {@code victims}, {@code nodes} memory nodes, a query in flight every {@code queryEvery} events, and whether the
     * broker restarts halfway.
     */
    record Variant(
            AttentionMode mode,
            int events,
            int ingestSeconds,
            int kills,
            List<String> victims,
            int nodes,
            int queryEvery,
            boolean brokerRestart) {}

    /** Mostly a node is killed, and each worker every fifth time. */
    static final Variant WORKER = new Variant(
            AttentionMode.WORKER,
            LONG ? 12_000 : 2_400,
            LONG ? 400 : 90,
            LONG ? 40 : 10,
            List.of(NODE, NODE, ENCODE, NODE, ATTEND),
            3,
            20,
            true);

    /** No attention worker: a node answers; queries are denser, as they are what this variant is about. */
    static final Variant INLINE = LONG
            ? new Variant(AttentionMode.INLINE, 12_000, 400, 40, List.of(NODE, NODE, ENCODE, NODE), 3, 10, true)
            : new Variant(AttentionMode.INLINE, 480, 16, 4, List.of(NODE, NODE, ENCODE, NODE), 2, 10, false);

    static final String[] WORDS = {
        "disk",
        "full",
        "user",
        "login",
        "failed",
        "restart",
        "cron",
        "ok",
        "kernel",
        "panic",
        "eth0",
        "link",
        "down",
        "up",
        "backup",
        "done",
        "error",
        "timeout",
        "retry",
        "sshd",
        "accepted",
        "closed",
        "memory",
        "swap",
        "oom"
    };

    /** One registry for both variants: its start is not what they test. */
    private static LocalRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startRegistry() {
        registry = LocalRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) registry.close();
    }

    @Test
    void answersAfterSigkillsOfNodesAndWorkersAndABrokerRestartAreBitIdenticalToAnUndisturbedRun() throws Exception {
        chaos(WORKER);
    }

    @Test
    void answersOfTheNodesInLineAfterSigkillsAreBitIdenticalToAnUndisturbedRun() throws Exception {
        chaos(INLINE);
    }

    private void chaos(Variant v) throws Exception {
        Random rnd = new Random(42);
        List<Map.Entry<String, String>> stream = new ArrayList<>();
        Map<String, Long> tokensPerKey = new HashMap<>();
        try (HashingEncoder encoder = new HashingEncoder(DIM)) {
            for (int i = 0; i < v.events(); i++) {
                String key = "chaos-" + rnd.nextInt(KEYS);
                StringBuilder text = new StringBuilder();
                for (int w = 1 + rnd.nextInt(12); w > 0; w--) {
                    text.append(WORDS[rnd.nextInt(WORDS.length)]).append(w > 1 ? " " : "");
                }
                stream.add(Map.entry(key, text.toString()));
                tokensPerKey.merge(key, (long) encoder.countTokens(text.toString()), Long::sum);
            }
        }
        List<MemoryQuery> fixed = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            for (int q = 0; q < FIXED_QUERIES_PER_KEY; q++) {
                fixed.add(query("fixed-" + k + "-" + q, "chaos-" + k, rnd, 2));
            }
        }
        Map<String, String> reference;
        // the same topic names on a broker of its own, so that every source position matches
        try (EmbeddedKafkaBroker referenceBroker = EmbeddedKafkaBroker.start()) {
            reference = reference(referenceBroker, registry, v.mode(), stream, fixed, tokensPerKey);
        }
        for (MemoryQuery q : fixed) { // the reference itself: every key found, with all its tokens
            assertThat(reference.get(q.getQueryId()))
                    .contains("\"found\": true")
                    .contains("\"tokensAbsorbed\": " + tokensPerKey.get(q.getKey()) + ",");
        }

        int brokerPort = freePort();
        int controllerPort = freePort();
        Path brokerDir = tmp.resolve("broker");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startPersistent(brokerDir, brokerPort, controllerPort);
        Map<String, Process> processes = new LinkedHashMap<>();
        try {
            Map<String, Object> m = config(broker, registry, v.mode(), "chaos");
            LtmConfig config = new LtmConfig(m);
            broker.createTopics(config.topicPartitions(), Map.of());
            List<String> inFlight = new ArrayList<>();
            Map<String, Integer> kills = new TreeMap<>();
            int killsOfTaskHolders = 0;
            double brokerDownSeconds = 0;
            long t0 = System.nanoTime();
            try (Writer writer = new Writer(config);
                    Admin admin = broker.admin()) {
                for (int n = 0; n < v.nodes(); n++) {
                    processes.put("node-" + n, start(m, "node-" + n, 0));
                }
                processes.put(ENCODE, start(m, ENCODE, 0));
                if (v.mode() == AttentionMode.WORKER) {
                    processes.put(ATTEND, start(m, ATTEND, 0));
                }
                int perKill = v.events() / (v.kills() + 1);
                // the j-th kill falls in [j + 0.5, j + 1.5) times perKill: spread over the ingest, all before its end
                List<Integer> killAt = new ArrayList<>();
                for (int j = 0; j < v.kills(); j++) killAt.add((j + 1) * perKill - perKill / 2 + rnd.nextInt(perKill));
                int brokerRestartAt = v.brokerRestart() ? v.events() / 2 + rnd.nextInt(perKill / 2) : -1;
                int killed = 0;
                for (int i = 0; i < v.events(); i++) {
                    Map.Entry<String, String> e = stream.get(i);
                    writer.send(e.getKey(), e.getValue(), i);
                    if (i % v.queryEvery() == 0) {
                        MemoryQuery q = query("inflight-" + i, e.getKey(), rnd, 1);
                        inFlight.add(q.getQueryId());
                        writer.send(q);
                    }
                    if (killed < v.kills() && i == killAt.get(killed)) {
                        writer.flush();
                        String kind = v.victims().get(killed % v.victims().size());
                        String victim = kind;
                        if (NODE.equals(kind)) {
                            // a random node among those holding tasks, so that most kills hit work in progress
                            List<String> holders = taskHolders(admin, config.getString(LtmConfig.APPLICATION_ID));
                            victim = holders.isEmpty()
                                    ? "node-" + rnd.nextInt(v.nodes())
                                    : holders.get(rnd.nextInt(holders.size()));
                            killsOfTaskHolders += holders.contains(victim) ? 1 : 0;
                        }
                        processes.get(victim).destroyForcibly().waitFor();
                        kills.merge(kind, 1, Integer::sum);
                        killed++;
                        // half restart at once (the same instance id comes back), half after a pause long enough
                        // for the group to notice (session timeout) and move a node's tasks to a standby
                        long pauseMs = rnd.nextBoolean() ? 0 : 3_000 + rnd.nextInt(9_000);
                        processes.put(victim, start(m, victim, pauseMs));
                    }
                    if (i == brokerRestartAt) {
                        writer.flush();
                        long down = System.nanoTime();
                        broker.close(); // a clean shutdown; the log directories stay
                        broker = EmbeddedKafkaBroker.startPersistent(brokerDir, brokerPort, controllerPort);
                        brokerDownSeconds = (System.nanoTime() - down) / 1e9;
                    }
                    if (i % PACE_EVERY == 0) {
                        Thread.sleep(v.ingestSeconds() * 1000L * PACE_EVERY / v.events());
                    }
                }
                writer.flush();
                assertThat(killed).isGreaterThanOrEqualTo(v.kills());
                double ingestSeconds = (System.nanoTime() - t0) / 1e9;

                int probes = awaitAbsorbed(config, tokensPerKey, Duration.ofSeconds(180));
                double absorbedSeconds = (System.nanoTime() - t0) / 1e9 - ingestSeconds;
                Map<String, String> answers = answers(config, fixed, Duration.ofSeconds(180));
                assertThat(answers)
                        .as("answers (%s) after %s SIGKILLs", v.mode(), kills)
                        .isEqualTo(reference);

                Map<String, List<String>> responses = responses(config, inFlight.size() + probes + fixed.size());
                for (String id : inFlight) {
                    assertThat(responses.get(id))
                            .as("committed responses to %s", id)
                            .hasSize(1);
                }
                // each variant goes the way it names: the attention worker answers in one, never in the other
                List<String> answeredBy = inFlight.stream()
                        .map(id -> responses.get(id).get(0))
                        .distinct()
                        .toList();
                if (v.mode() == AttentionMode.WORKER) {
                    assertThat(answeredBy).as("who answered").contains(Responses.BY_WORKER);
                } else {
                    assertThat(answeredBy).as("who answered").containsExactly(Responses.BY_NODE);
                }
                assertThat(killsOfTaskHolders)
                        .as("kills of a node that held tasks")
                        .isPositive();
                int deadLetters = DeadLetters.count(
                        config.getString(LtmConfig.BOOTSTRAP_SERVERS), config.getString(LtmConfig.TOPIC_DLQ));
                assertThat(deadLetters).as("records dead-lettered").isZero();
                System.out.printf(
                        "CHAOS (attention %s): %d text events (%d keys, %d partitions) through an encode worker"
                                + " to %d nodes; %d SIGKILLs %s during %.1f s of ingest (%d of a node holding"
                                + " tasks in the group); every token in the memories %.1f s after the ingest;"
                                + " broker down %.1f s; %d fixed answers bit-identical to an"
                                + " undisturbed run; %d queries in flight, each with exactly one committed"
                                + " response; %d dead letters; %.1f s in all%n",
                        v.mode().configValue(),
                        v.events(),
                        KEYS,
                        PARTITIONS,
                        v.nodes(),
                        killed,
                        kills,
                        ingestSeconds,
                        killsOfTaskHolders,
                        absorbedSeconds,
                        brokerDownSeconds,
                        fixed.size(),
                        inFlight.size(),
                        deadLetters,
                        (System.nanoTime() - t0) / 1e9);
                printHangingTransactionsAborted(processes.keySet());
            }
        } catch (Exception | AssertionError e) {
            keepLogs(v, processes);
            describeTransactions(broker);
            throw e;
        } finally {
            processes.values().forEach(Process::destroyForcibly);
            for (Process p : processes.values()) p.waitFor();
            broker.close();
        }
    }

    /** The hanging transactions the processes aborted (HangingTransactions logs each), as evidence of how often. */
    private void printHangingTransactionsAborted(Collection<String> names) throws IOException {
        List<String> aborts = new ArrayList<>();
        for (String name : names) {
            Path log = tmp.resolve(name + ".log");
            if (Files.exists(log)) {
                Files.readAllLines(log).stream()
                        .filter(l -> l.contains("aborting a hanging transaction"))
                        .forEach(l -> aborts.add(name + "| " + l));
            }
        }
        System.out.println("CHAOS: hanging transactions aborted: " + aborts.size());
        aborts.forEach(l -> System.out.println("  " + l));
    }

    /**
     * A failed run's evidence, which would otherwise go with the temporary directory: whether each process is still up
     * (a worker that stopped for good exits, and nothing here restarts it), each log's warnings and errors and its last
     * lines on the console, the whole logs under {@code target/chaos-logs}. Never throws: the run's own failure is
     * what the test reports.
     */
    private void keepLogs(Variant v, Map<String, Process> processes) {
        try {
            Path kept = Path.of("target", "chaos-logs", v.mode().configValue() + "-" + System.currentTimeMillis());
            Files.createDirectories(kept);
            keepLogs(v, processes, kept);
            System.out.println("CHAOS FAILED: the whole logs are in " + kept.toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            System.out.println("CHAOS FAILED: the logs could not be kept: " + e);
        }
    }

    private void keepLogs(Variant v, Map<String, Process> processes, Path kept) throws IOException {
        for (Map.Entry<String, Process> p : processes.entrySet()) {
            Process process = p.getValue();
            System.out.printf(
                    "CHAOS FAILED (%s): %s %s%n",
                    v.mode().configValue(),
                    p.getKey(),
                    process.isAlive() ? "running" : "exited with status " + process.exitValue());
            Path log = tmp.resolve(p.getKey() + ".log");
            if (!Files.exists(log)) continue;
            Files.copy(log, kept.resolve(p.getKey() + ".log"));
            List<String> lines = Files.readAllLines(log);
            List<String> notable = lines.stream()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.startsWith("Caused by"))
                    .toList();
            notable.subList(Math.max(0, notable.size() - LOG_LINES_SHOWN), notable.size())
                    .forEach(l -> System.out.println("  " + p.getKey() + "| " + l));
            lines.subList(Math.max(0, lines.size() - LOG_LINES_SHOWN), lines.size())
                    .forEach(l -> System.out.println("  " + p.getKey() + "$ " + l));
        }
    }

    /**
     * The broker's side of a failed run: per partition of every topic, the last stable offset against the log end (an
     * open or hanging transaction holds read_committed readers at the former), the producers with a transaction open,
     * and the transactions the coordinators know. Internal topics too: a group's offsets sent in a transaction that
     * hangs stay pending in {@code __consumer_offsets}, and the group's consumers cannot fetch them.
     */
    private static void describeTransactions(EmbeddedKafkaBroker broker) {
        try (Admin admin = broker.admin()) {
            List<TopicPartition> tps = new ArrayList<>();
            admin.describeTopics(admin.listTopics(new ListTopicsOptions().listInternal(true))
                            .names()
                            .get(30, TimeUnit.SECONDS))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((name, d) ->
                            d.partitions().forEach(p -> tps.add(new TopicPartition(name, p.partition()))));
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            tps.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            var end = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            List<TopicPartition> open = new ArrayList<>();
            for (TopicPartition tp : tps) {
                if (stable.get(tp).offset() != end.get(tp).offset()) {
                    open.add(tp);
                    System.out.printf(
                            "CHAOS FAILED: %s last stable offset %d, log end %d%n",
                            tp, stable.get(tp).offset(), end.get(tp).offset());
                }
            }
            admin.describeProducers(open)
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((tp, d) -> d.activeProducers().stream()
                            .filter(ps -> ps.currentTransactionStartOffset().isPresent())
                            .forEach(ps -> System.out.printf("CHAOS FAILED: %s open transaction %s%n", tp, ps)));
            admin.listTransactions()
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .forEach(t -> System.out.println("CHAOS FAILED: transaction " + t));
        } catch (Exception e) {
            System.out.println("CHAOS FAILED: the broker could not be described: " + e);
        }
    }

    /** The same stream through one in-process node and workers that nobody disturbs: the answers to compare with. */
    private Map<String, String> reference(
            EmbeddedKafkaBroker broker,
            LocalRegistry registry,
            AttentionMode mode,
            List<Map.Entry<String, String>> stream,
            List<MemoryQuery> fixed,
            Map<String, Long> tokensPerKey)
            throws Exception {
        Map<String, Object> m = config(broker, registry, mode, "reference");
        m.put(LtmConfig.STATE_DIR, tmp.resolve("state-reference").toString());
        LtmConfig config = new LtmConfig(m);
        broker.createTopics(config.topicPartitions(), Map.of());
        try (HashingEncoder encoder = new HashingEncoder(DIM);
                MemoryNode node = MemoryNode.start(config, encoder);
                EncodeWorker encode = new EncodeWorker(config, encoder, "reference-encode");
                AttentionWorker attend =
                        mode == AttentionMode.WORKER ? new AttentionWorker(config, encoder, "reference-attend") : null;
                Writer writer = new Writer(config)) {
            node.awaitRunning(Duration.ofSeconds(60));
            encode.start();
            if (attend != null) attend.start();
            for (int i = 0; i < stream.size(); i++) {
                writer.send(stream.get(i).getKey(), stream.get(i).getValue(), i);
            }
            writer.flush();
            awaitAbsorbed(config, tokensPerKey, Duration.ofSeconds(120));
            return answers(config, fixed, Duration.ofSeconds(120));
        }
    }

    private Map<String, Object> config(
            EmbeddedKafkaBroker broker, LocalRegistry registry, AttentionMode mode, String run) {
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, registry.url());
        m.put(LtmConfig.APPLICATION_ID, run + "-" + UUID.randomUUID());
        m.put(LtmConfig.TOPIC_PARTITIONS, PARTITIONS);
        m.put(LtmConfig.ENCODER, "hashing");
        m.put(LtmConfig.ATTENTION_MODE, mode.configValue());
        // a restarted attention worker rebuilds its replicas from the changelogs first: wait for them rather than
        // answer a query with an error (which a bit-identical comparison would count as a loss)
        m.put(LtmConfig.ATTENTION_REPLICA_WAIT_MS, 120_000L);
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

    /**
     * Waits until every key's memory holds all its tokens: the events reach the memory through the encode worker, so a
     * query sent after them can overtake them. Asked with probe queries, whose answers are not compared; answers how
     * many were sent.
     */
    private static int awaitAbsorbed(LtmConfig config, Map<String, Long> tokensPerKey, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Random rnd = new Random(1);
        int probes = 0;
        try (LtmClient client = new LtmClient(config)) {
            for (Map.Entry<String, Long> e : tokensPerKey.entrySet()) {
                long absorbed = -1;
                for (int probe = 0; absorbed != e.getValue(); probe++) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(e.getKey() + ": " + absorbed + " tokens, expected " + e.getValue()
                                + "; every key now: " + absorbedNow(client, config, tokensPerKey, rnd));
                    }
                    if (probe > 0) Thread.sleep(500);
                    MemoryResponse r =
                            client.query(query("probe-" + e.getKey() + "-" + probe, e.getKey(), rnd, 1), timeout);
                    absorbed = r.getStats() == null ? 0 : r.getStats().getTokensAbsorbed();
                    probes++;
                }
            }
        }
        return probes;
    }

    /** Each key's tokens in memory, of those expected, and its partition: which keys a failed wait left behind. */
    private static String absorbedNow(LtmClient client, LtmConfig config, Map<String, Long> tokensPerKey, Random rnd) {
        Map<String, String> now = new TreeMap<>();
        for (Map.Entry<String, Long> e : tokensPerKey.entrySet()) {
            int partition = config.keyPlacement()
                    .partition(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8), PARTITIONS);
            String absorbed;
            try {
                MemoryResponse r =
                        client.query(query("last-" + e.getKey(), e.getKey(), rnd, 1), Duration.ofSeconds(10));
                absorbed = r.getStats() == null
                        ? "no stats (" + r.getError() + ")"
                        : "" + r.getStats().getTokensAbsorbed();
            } catch (Exception failed) {
                absorbed = "no answer (" + failed + ")";
            }
            now.put(e.getKey(), absorbed + " of " + e.getValue() + " (partition " + partition + ")");
        }
        return now.toString();
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

    /** Who answered, once per committed response, by query id; read until {@code atLeast} responses have come. */
    private static Map<String, List<String>> responses(LtmConfig config, int atLeast) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "responses-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<String>> by = new HashMap<>();
        try (KafkaConsumer<String, MemoryResponse> consumer = new KafkaConsumer<>(
                c,
                new StringDeserializer(),
                LtmSerdes.avro(MemoryResponse.class, config.serdeConfig()).deserializer())) {
            consumer.subscribe(List.of(config.getString(LtmConfig.TOPIC_RESPONSES)));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            int total = 0;
            while (total < atLeast && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, MemoryResponse> r : consumer.poll(Duration.ofMillis(200))) {
                    by.computeIfAbsent(r.value().getQueryId(), id -> new ArrayList<>())
                            .add(r.value().getAnsweredBy());
                    total++;
                }
            }
            // a duplicate would come after the first: read on a little
            for (ConsumerRecord<String, MemoryResponse> r : consumer.poll(Duration.ofMillis(2000))) {
                by.computeIfAbsent(r.value().getQueryId(), id -> new ArrayList<>())
                        .add(r.value().getAnsweredBy());
            }
        }
        return by;
    }

    /** Records on the dead-letter topic (read_committed), read until 3 s pass without one. */
    /** Writes text events and queries, Avro in the wire format, with the Java producer's partitioner. */
    private static final class Writer implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final Serializer<TokenEvent> events;
        private final Serializer<MemoryQuery> queries;
        private final String eventsTopic;
        private final String queriesTopic;

        Writer(LtmConfig config) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
            events = LtmSerdes.avro(TokenEvent.class, config.serdeConfig()).serializer();
            queries = LtmSerdes.avro(MemoryQuery.class, config.serdeConfig()).serializer();
            eventsTopic = config.getString(LtmConfig.TOPIC_EVENTS);
            queriesTopic = config.getString(LtmConfig.TOPIC_QUERIES);
        }

        /** The {@code seq}-th event: its time and source id follow from its place in the stream. */
        void send(String key, String text, int seq) {
            TokenEvent e = TokenEvent.newBuilder()
                    .setText(text)
                    .setSourceId("e" + seq)
                    .setEventTime(EVENT_TIME.plusSeconds(seq))
                    .build();
            producer.send(new ProducerRecord<>(eventsTopic, key, events.serialize(eventsTopic, e)));
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

    /**
     * Starts a node ({@code node-N}) or a worker ({@link #ENCODE}, {@link #ATTEND}) as its own JVM, after
     * {@code pauseMs}; a restart keeps the instance id (a node's static membership, a worker's transactional id).
     */
    private Process start(Map<String, Object> config, String instanceId, long pauseMs) throws Exception {
        LtmCommand command = instanceId.startsWith(NODE)
                ? LtmCommand.of("run")
                : LtmCommand.of("worker", "--role", instanceId, "--instance-id", "chaos-" + instanceId);
        command.jvm("-Xmx384m")
                .settings(config)
                .settings(Map.of(
                        LtmConfig.INSTANCE_ID, instanceId, LtmConfig.STATE_DIR, tmp.resolve("state-" + instanceId)));
        // the pause runs in the child, so the stream goes on meanwhile
        List<String> pause = pauseMs > 0
                ? List.of("/bin/sh", "-c", "sleep " + pauseMs / 1000.0 + " && exec \"$@\"", instanceId)
                : List.of();
        return command.startAppending(tmp.resolve(instanceId + ".log"), pause);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
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
