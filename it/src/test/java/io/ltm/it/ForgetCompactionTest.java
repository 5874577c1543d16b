package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.SourcePosition;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.LocalCluster;
import io.ltm.testutils.it.NodeSettings;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.codec.MemoryStateCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code forget} on a real broker, checked where the data lives: the store changelogs. A key with records in every
 * logged store (long-term memory, short-term records and index, sticky attention, term-filter segments; novelty's
 * summaries have no changelog, and a forget deletes them from the local store, NoveltyTest) is forgotten; the
 * changelogs are then made to compact at once (small {@code segment.ms}, dirty ratio and {@code delete.retention.ms},
 * and a broker cleaner that looks every 200 ms) and other keys' events keep rolling
 * segments, until a read of every changelog from the beginning finds no record of the key, its tombstones
 * included. Before the forget the same read finds the key in each store; after it, the other key answers as before.
 */
class ForgetCompactionTest {
    static final int DIM = SmallMemory.NODE.dim();
    static final String GONE = "forget-me";
    static final String KEPT = "keep-me";
    static final List<String> STORES = List.of(
            "ltm-memory", "ltm-coefficients", "ltm-short-term", "ltm-short-term-index", "ltm-attention", "ltm-terms");
    static final String[] WORDS = {"disk", "full", "user", "login", "failed", "restart", "cron", "ok", "kernel"};

    @TempDir
    Path tmp;

    @Test
    void afterForcedCompactionNoChangelogHoldsAnyRecordOfAForgottenKey() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(Map.of("log.cleaner.backoff.ms", "200"));
                HashingEncoder encoder = new HashingEncoder(DIM);
                Admin admin = cluster.admin()) {
            NodeSettings settings = cluster.node("forget")
                    .stateUnder(tmp)
                    .partitions(1) // one partition: the other key's writes roll the same segments
                    .memory(SmallMemory.NODE)
                    .set(LtmConfig.MEMORY_STICKY, true)
                    .set(LtmConfig.NOVELTY_ENABLED, true);
            String appId = settings.applicationId();
            LtmConfig config = new LtmConfig(settings.entries());
            cluster.createTopics(config.topicPartitions());
            List<String> changelogs =
                    STORES.stream().map(s -> appId + "-" + s + "-changelog").toList();

            Random rnd = new Random(11);
            long kept = 0;
            try (MemoryNode node = MemoryNode.start(config, encoder);
                    LtmClient client = new LtmClient(config)) {
                node.awaitRunning(Duration.ofSeconds(60));
                int seq = 0;
                for (int i = 0; i < 12; i++) { // several contractions of each key (L = 16 tokens)
                    send(client, GONE, rnd, seq++);
                    kept += send(client, KEPT, rnd, seq++);
                }
                for (String key : List.of(GONE, KEPT)) { // sticky reads write the attention store
                    MemoryResponse r = client.query(key, "disk full", 1, Duration.ofSeconds(60));
                    assertThat(r.getFound()).as(key).isTrue();
                }
                send(client, GONE, rnd, seq++); // the short-term buffer holds records too
                client.flush();
                awaitTokens(node, KEPT, kept);
                assertThat(admin.listTopics().names().get()).doesNotContain(appId + "-ltm-novelty-changelog");
                Map<String, Integer> before = recordsOf(config, changelogs, GONE);
                for (String c : changelogs) {
                    assertThat(before.get(c))
                            .as("records of %s in %s before the forget", GONE, c)
                            .isPositive();
                }

                client.forget(GONE);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (Boolean.TRUE.equals(node.describe(GONE).get("found")) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(node.describe(GONE).get("found")).isEqualTo(false);
                // every store key of the forgotten key ends in a tombstone (once the node has committed them)
                Map<String, Integer> live = liveKeysOf(config, changelogs, GONE);
                while (live.values().stream().anyMatch(n -> n > 0) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    live = liveKeysOf(config, changelogs, GONE);
                }
                assertThat(live)
                        .as("store keys of %s whose last changelog record is not a tombstone", GONE)
                        .allSatisfy((c, n) -> assertThat(n).as(c).isZero());
                Map<String, Integer> tombstoned = recordsOf(config, changelogs, GONE);

                compactSoon(admin, changelogs);
                long t0 = System.nanoTime();
                Map<String, Integer> left = recordsOf(config, changelogs, GONE);
                int rounds = 0;
                while (left.values().stream().anyMatch(n -> n > 0)
                        && System.nanoTime() - t0 < Duration.ofSeconds(120).toNanos()) {
                    // writes of the other key roll the segments (segment.ms) and make the logs dirty again: the
                    // cleaner first marks the tombstones with their delete horizon, and drops them a pass later
                    for (int i = 0; i < 4; i++) {
                        kept += send(client, KEPT, rnd, seq++);
                    }
                    client.flush();
                    Thread.sleep(1_000);
                    left = recordsOf(config, changelogs, GONE);
                    rounds++;
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertThat(left)
                        .as("records of %s left in the changelogs after compaction", GONE)
                        .allSatisfy((c, n) -> assertThat(n).as(c).isZero());

                awaitTokens(node, KEPT, kept);
                MemoryResponse r = client.query(KEPT, "disk full", 1, Duration.ofSeconds(60));
                assertThat(r.getFound()).isTrue();
                assertThat(r.getStats().getTokensAbsorbed()).isEqualTo(kept);
                assertThat(recordsOf(config, changelogs, KEPT).get(changelogs.get(0)))
                        .as("the other key's memory record survives compaction")
                        .isPositive();
                System.out.printf(
                        "FORGET: records of the key per changelog before the forget %s, after it (tombstones"
                                + " appended) %s; none left %.1f s after compaction was forced (%d rounds of the"
                                + " other key's writes); the other key answers with all %d tokens%n",
                        byStore(before, appId), byStore(tombstoned, appId), seconds, rounds, kept);
            }
        }
    }

    /** The counts by store name rather than changelog topic. */
    private static Map<String, Integer> byStore(Map<String, Integer> byChangelog, String appId) {
        Map<String, Integer> out = new TreeMap<>();
        byChangelog.forEach((c, n) -> out.put(c.substring(appId.length() + 1, c.length() - "-changelog".length()), n));
        return out;
    }

    /** One token event of 2 to 9 tokens with their texts (so the term filter fills); returns the token count. */
    private static int send(LtmClient client, String key, Random rnd, int seq) {
        int n = 2 + rnd.nextInt(8);
        float[] v = new float[n * DIM];
        for (int j = 0; j < v.length; j++) v[j] = (float) rnd.nextGaussian();
        List<String> texts = new ArrayList<>();
        for (int j = 0; j < n; j++) texts.add(WORDS[rnd.nextInt(WORDS.length)]);
        client.sendTokens(
                key,
                EncodedTokens.newBuilder()
                        .setVectors(MemoryStateCodec.block(v, n, DIM, CoefficientPrecision.FLOAT32))
                        .setTokens(texts)
                        .setSource(SourcePosition.newBuilder()
                                .setTopic("forget-source")
                                .setPartition(0)
                                .setOffset(seq)
                                .setTimestamp(Instant.now())
                                .setSourceId("e" + seq)
                                .build())
                        .build());
        return n;
    }

    private static void awaitTokens(MemoryNode node, String key, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Object n = null;
        while (System.nanoTime() < deadline) {
            n = node.describe(key).get("tokensAbsorbed");
            if (n != null && ((Number) n).longValue() == expected) return;
            Thread.sleep(100);
        }
        throw new AssertionError(key + ": " + n + " tokens absorbed, expected " + expected);
    }

    /** Compaction as soon as a segment is closed, for tombstones too. */
    private static void compactSoon(Admin admin, List<String> topics) throws Exception {
        Map<ConfigResource, java.util.Collection<AlterConfigOp>> ops = new HashMap<>();
        for (String t : topics) {
            ops.put(
                    new ConfigResource(ConfigResource.Type.TOPIC, t),
                    List.of(
                            set("segment.ms", "500"),
                            set("min.cleanable.dirty.ratio", "0.001"),
                            set("delete.retention.ms", "0"),
                            set("min.compaction.lag.ms", "0")));
        }
        admin.incrementalAlterConfigs(ops).all().get();
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    /**
     * Per changelog, the records (values and tombstones; read_uncommitted, so aborted writes count too) whose store
     * key belongs to {@code key}: the key itself, or the key, a NUL and a sequence number (short-term records and
     * term-filter segments).
     */
    private static Map<String, Integer> recordsOf(LtmConfig config, List<String> changelogs, String key) {
        Map<String, Integer> out = new TreeMap<>();
        read(config, changelogs, key, true).forEach((c, records) -> out.put(c, records.size()));
        return out;
    }

    /** Per changelog, the store keys of {@code key} whose last committed record has a value (is not a tombstone). */
    private static Map<String, Integer> liveKeysOf(LtmConfig config, List<String> changelogs, String key) {
        Map<String, Integer> out = new TreeMap<>();
        read(config, changelogs, key, false).forEach((c, records) -> {
            Map<String, Boolean> last = new HashMap<>();
            records.forEach(r -> last.put(r.key(), r.value() != null));
            out.put(c, (int) last.values().stream().filter(v -> v).count());
        });
        return out;
    }

    /** Per changelog, its records of {@code key} in order; aborted ones too when {@code uncommitted}. */
    private static Map<String, List<ConsumerRecord<String, byte[]>>> read(
            LtmConfig config, List<String> changelogs, String key, boolean uncommitted) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, uncommitted ? "read_uncommitted" : "read_committed");
        Map<String, List<ConsumerRecord<String, byte[]>>> out = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : changelogs) {
                List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                Map<TopicPartition, Long> end = consumer.endOffsets(parts);
                List<ConsumerRecord<String, byte[]>> of = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                        && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.key().equals(key) || r.key().startsWith(key + '\u0000')) of.add(r);
                    }
                }
                out.put(topic, of);
            }
        }
        return out;
    }
}
