package io.ltm.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.Encoders;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.NoveltyScore;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.testutils.NoveltyTestLogs;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryTopology;
import io.ltm.topology.codec.WireVectors;
import io.ltm.topology.internal.Names;
import io.ltm.topology.internal.Novelty;
import io.ltm.topology.internal.TokenEvents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Novelty scores through the real topology: a log with a planted stretch of a very different kind; the planted lines
 * must score above the rest. With {@code -Dltm.novelty.log=FILE} (and optionally {@code -Dltm.novelty.encoder=minilm},
 * {@code -Dltm.novelty.lines=N}) the same replay runs on a real log with the default memory and prints the measurement.
 */
class NoveltyTest {

    static final List<String> PLANTED = NoveltyTestLogs.PLANTED;

    @TempDir
    Path stateDir;

    private byte[] lastSummary;

    static List<String> packageLog(int n, long seed) {
        return NoveltyTestLogs.packageLog(n, seed);
    }

    static List<String> withPlanted(List<String> log, int at) {
        List<String> out = new ArrayList<>(log.subList(0, at));
        out.addAll(PLANTED);
        out.addAll(log.subList(at, log.size()));
        return out;
    }

    record Result(double[] novelty, int plantedFrom, long nanos) {
        double meanPlanted() {
            return Arrays.stream(novelty, plantedFrom, plantedFrom + PLANTED.size())
                    .average()
                    .orElse(0);
        }

        double meanRest() {
            double s = 0;
            int n = 0;
            for (int i = 0; i < novelty.length; i++) {
                if (i < plantedFrom || i >= plantedFrom + PLANTED.size()) {
                    s += novelty[i];
                    n++;
                }
            }
            return s / n;
        }

        /** Share of the planted lines among the top {@code share} of all lines by novelty. */
        double plantedInTop(double share) {
            Integer[] order = new Integer[novelty.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(novelty[b], novelty[a]));
            int top = Math.max(1, (int) Math.round(share * novelty.length));
            int hit = 0;
            for (int i = 0; i < top; i++) {
                if (order[i] >= plantedFrom && order[i] < plantedFrom + PLANTED.size()) {
                    hit++;
                }
            }
            return hit / (double) PLANTED.size();
        }

        /** Median rank (1 = most novel) of the planted lines. */
        double medianPlantedRank() {
            Integer[] order = new Integer[novelty.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(novelty[b], novelty[a]));
            int[] rank = new int[novelty.length];
            for (int i = 0; i < order.length; i++) {
                rank[order[i]] = i + 1;
            }
            int[] pr = Arrays.copyOfRange(rank, plantedFrom, plantedFrom + PLANTED.size());
            Arrays.sort(pr);
            return (pr[pr.length / 2 - 1] + pr[pr.length / 2]) / 2.0;
        }
    }

    private List<String> encodedLines;
    private List<EncodedText> encodedCache;

    /** The lines encoded in batches of 64 (cached for the last list of lines, so on/off replays encode once). */
    private List<EncodedText> encoded(List<String> lines, TextEncoder encoder) {
        if (lines != encodedLines) {
            List<EncodedText> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i += 64) {
                out.addAll(encoder.encode(lines.subList(i, Math.min(lines.size(), i + 64))));
            }
            encodedLines = lines;
            encodedCache = out;
        }
        return encodedCache;
    }

    /** Every line as one event of key "log" through the memory topology; the novelty of each, in order. */
    Result replay(
            List<String> lines, int plantedFrom, TextEncoder encoder, Map<String, Object> extra, boolean novelty) {
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, "mock://novelty-" + UUID.randomUUID());
        m.put(LtmConfig.APPLICATION_ID, "ltm-novelty-test");
        m.put(LtmConfig.BOOTSTRAP_SERVERS, "unused:9092");
        m.put(LtmConfig.MEMORY_DIM, encoder.dimension());
        m.put(LtmConfig.ENCODER, "none");
        m.put(LtmConfig.NOVELTY_ENABLED, novelty);
        m.putAll(extra);
        LtmConfig config = new LtmConfig(m);
        Properties p = new Properties();
        p.putAll(config.streamsProperties());
        p.put(
                StreamsConfig.STATE_DIR_CONFIG,
                stateDir.resolve(UUID.randomUUID().toString()).toString());
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L); // the driver's wall clock stands still
        List<EncodedText> encoded = encoded(lines, encoder);
        var ser = LtmSerdes.avro(EncodedTokens.class, config.serdeConfig()).serializer();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            EncodedText e = encoded.get(i);
            if (e.count() == 0) {
                continue;
            }
            values.add(ser.serialize(
                    "ltm.tokens",
                    EncodedTokens.newBuilder()
                            .setVectors(WireVectors.tokens(e.vectors(), e.count(), encoder.dimension()))
                            .setTokens(e.tokens())
                            .setText(lines.get(i))
                            .setSource(SourcePosition.newBuilder()
                                    .setTopic("ltm.events")
                                    .setPartition(0)
                                    .setOffset(i)
                                    .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L + i * 1000L))
                                    .build())
                            .build()));
        }
        try (TopologyTestDriver d = new TopologyTestDriver(MemoryTopology.build(config, null), p)) {
            ByteArraySerializer b = new ByteArraySerializer();
            TestInputTopic<byte[], byte[]> in = d.createInputTopic("ltm.tokens", b, b);
            byte[] key = "log".getBytes(StandardCharsets.UTF_8);
            long t0 = System.nanoTime();
            for (byte[] v : values) {
                in.pipeInput(key, v);
            }
            long nanos = System.nanoTime() - t0;
            if (!novelty) {
                return new Result(new double[0], plantedFrom, nanos);
            }
            TestOutputTopic<String, NoveltyScore> out = d.createOutputTopic(
                    "ltm.novelty",
                    new StringDeserializer(),
                    LtmSerdes.avro(NoveltyScore.class, config.serdeConfig()).deserializer());
            List<NoveltyScore> scores = out.readValuesToList();
            assertThat(scores).hasSize(values.size());
            double[] nov = new double[lines.size()];
            for (NoveltyScore s : scores) {
                nov[(int) s.getSource().getOffset()] = s.getNovelty();
                assertThat(s.getText()).isEqualTo(lines.get((int) s.getSource().getOffset()));
            }
            lastSummary = (byte[]) d.getKeyValueStore(Names.STORE_NOVELTY).get("log");
            assertThat(lastSummary).isNotNull();
            return new Result(nov, plantedFrom, nanos);
        }
    }

    @Test
    void plantedLinesOfAnotherKindScoreAboveThePackageLog() {
        List<String> log = packageLog(600, 11);
        int at = 420;
        List<String> lines = withPlanted(log, at);
        Map<String, Object> small = Map.of(
                LtmConfig.MEMORY_BASIS_SIZE,
                64,
                LtmConfig.MEMORY_CONTRACTION_LENGTH,
                128,
                LtmConfig.MEMORY_SAMPLES,
                64,
                LtmConfig.MEMORY_BASIS_WIDTHS,
                "0.02,0.04");
        try (HashingEncoder enc = new HashingEncoder(64)) {
            Result r = replay(lines, at, enc, small, true);
            System.out.printf(
                    Locale.ROOT,
                    "novelty: planted mean %.3f, rest mean %.3f, planted in top 5%%: %.2f, median rank %.1f of %d%n",
                    r.meanPlanted(),
                    r.meanRest(),
                    r.plantedInTop(0.05),
                    r.medianPlantedRank(),
                    lines.size());
            assertThat(r.novelty[0]).isEqualTo(1.0); // nothing to compare the first event with
            assertThat(r.meanPlanted()).isGreaterThan(r.meanRest() + 0.1);
            assertThat(r.plantedInTop(0.05)).isGreaterThanOrEqualTo(0.5);
            // a repeated line right after its first occurrence is not new (short-term buffer)
            List<String> rep = new ArrayList<>(log.subList(0, 50));
            rep.add(log.get(49));
            Result again = replay(rep, 0, enc, small, true);
            assertThat(again.novelty[50]).isLessThan(0.05);
        }
    }

    /** The small memory of the forget and the summary tests (d = 64, L = 64). */
    private static LtmConfig smallConfig() {
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, "mock://novelty-" + UUID.randomUUID());
        m.put(LtmConfig.APPLICATION_ID, "ltm-novelty-test");
        m.put(LtmConfig.BOOTSTRAP_SERVERS, "unused:9092");
        m.put(LtmConfig.MEMORY_DIM, 64);
        m.put(LtmConfig.ENCODER, "none");
        m.put(LtmConfig.MEMORY_BASIS_SIZE, 64);
        m.put(LtmConfig.MEMORY_CONTRACTION_LENGTH, 64);
        m.put(LtmConfig.MEMORY_SAMPLES, 64);
        m.put(LtmConfig.MEMORY_BASIS_WIDTHS, "0.02,0.04");
        return new LtmConfig(m);
    }

    private TopologyTestDriver driver(LtmConfig config, String dir) {
        Properties p = new Properties();
        p.putAll(config.streamsProperties());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(dir).toString());
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L); // the driver's wall clock stands still
        return new TopologyTestDriver(MemoryTopology.build(config, null), p);
    }

    private static TestOutputTopic<String, NoveltyScore> scores(TopologyTestDriver d, LtmConfig config) {
        return d.createOutputTopic(
                "ltm.novelty",
                new StringDeserializer(),
                LtmSerdes.avro(NoveltyScore.class, config.serdeConfig()).deserializer());
    }

    @Test
    void aForgottenMemoryIsNotComparedWithAndRepeatsAreNotNew() {
        LtmConfig config = smallConfig();
        List<String> log = packageLog(60, 5);
        try (HashingEncoder enc = new HashingEncoder(64);
                TopologyTestDriver d = driver(config, "forget")) {
            ByteArraySerializer b = new ByteArraySerializer();
            TestInputTopic<byte[], byte[]> in = d.createInputTopic("ltm.tokens", b, b);
            TestInputTopic<byte[], byte[]> control = d.createInputTopic("ltm.control", b, b);
            TestOutputTopic<String, NoveltyScore> out = scores(d, config);
            byte[] key = "k".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < log.size(); i++) {
                in.pipeInput(key, TokenEvents.of(config, enc, log.get(i), i));
            }
            assertThat(Novelty.keys(
                            (byte[]) d.getKeyValueStore(Names.STORE_NOVELTY).get("k")))
                    .isPositive();
            List<NoveltyScore> before = out.readValuesToList();
            assertThat(before).hasSize(log.size());
            assertThat(before.get(before.size() - 1).getMemoryTokens()).isPositive();
            // a line seen before (long-term by now) is not new
            byte[] repeat = TokenEvents.of(config, enc, log.get(3), 99);
            in.pipeInput(key, repeat);
            assertThat(out.readValue().getNovelty()).isLessThan(0.3);
            control.pipeInput(
                    key,
                    LtmSerdes.avro(io.ltm.schemas.ControlCommand.class, config.serdeConfig())
                            .serializer()
                            .serialize(
                                    "ltm.control",
                                    io.ltm.schemas.ControlCommand.newBuilder()
                                            .setAction(io.ltm.schemas.ControlAction.FORGET)
                                            .setCommandId("c1")
                                            .setIssuedAt(Instant.now())
                                            .build()));
            assertThat(d.getKeyValueStore(Names.STORE_NOVELTY).get("k")).isNull();
            // the summaries are made again from the memory where missing (NoveltySummaryStoreTest), so not logged
            assertThat(d.producedTopicNames())
                    .contains("ltm-novelty-test-" + Names.STORE_MEMORY + "-changelog")
                    .doesNotContain("ltm-novelty-test-" + Names.STORE_NOVELTY + "-changelog");
            // after forget there is nothing to compare with: the same line is new again
            in.pipeInput(key, repeat);
            NoveltyScore after = out.readValue();
            assertThat(after.getNovelty()).isEqualTo(1.0);
            assertThat(after.getMemoryTokens()).isZero();
            assertThat(after.getBestCosine()).isNull();
        }
    }

    @Test
    void withNoveltyDisabledThereIsNoNoveltyTopicOrStore() {
        try (HashingEncoder enc = new HashingEncoder(16)) {
            Result r = replay(
                    packageLog(40, 3),
                    0,
                    enc,
                    Map.of(
                            LtmConfig.MEMORY_BASIS_SIZE,
                            16,
                            LtmConfig.MEMORY_CONTRACTION_LENGTH,
                            32,
                            LtmConfig.MEMORY_SAMPLES,
                            16,
                            LtmConfig.MEMORY_BASIS_WIDTHS,
                            "0.05,0.1"),
                    false);
            assertThat(r.novelty).isEmpty();
        }
    }

    /** The measurement on a real log: {@code -Dltm.novelty.log=/var/log/dpkg.log [-Dltm.novelty.encoder=minilm]}. */
    @Test
    void measureOnARealLog() throws IOException {
        String file = System.getProperty("ltm.novelty.log");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                file != null, "set -Dltm.novelty.log=FILE to measure on a real log");
        List<String> log = Files.readAllLines(Path.of(file)).stream()
                .filter(s -> !s.isBlank())
                .toList();
        int max = Integer.getInteger("ltm.novelty.lines", log.size());
        log = log.subList(0, Math.min(max, log.size()));
        int at = (int) (log.size() * 0.7);
        List<String> lines = withPlanted(log, at);
        String encName = System.getProperty("ltm.novelty.encoder", "hashing");
        try (TextEncoder enc = Encoders.byName(encName, 384)) {
            long te = System.nanoTime();
            encoded(lines, enc);
            long t0 = System.nanoTime();
            replay(lines, at, enc, Map.of(), false); // warm-up: engine start, ridge matrices, JIT
            long tw = System.nanoTime();
            Result off = replay(lines, at, enc, Map.of(), false);
            long t1 = System.nanoTime();
            Result on = replay(lines, at, enc, Map.of(), true);
            long t2 = System.nanoTime();
            System.out.printf(
                    Locale.ROOT,
                    "novelty on %s (%d lines + %d planted at line %d, encoder %s): planted mean %.3f, "
                            + "rest mean %.3f, planted in top 1%%: %.2f, top 5%%: %.2f, top 10%%: %.2f, median planted rank %.1f of %d%n",
                    file,
                    log.size(),
                    PLANTED.size(),
                    at,
                    encName,
                    on.meanPlanted(),
                    on.meanRest(),
                    on.plantedInTop(0.01),
                    on.plantedInTop(0.05),
                    on.plantedInTop(0.10),
                    on.medianPlantedRank(),
                    lines.size());
            System.out.printf(
                    Locale.ROOT,
                    "ingest through the topology: novelty on %.1f us/event, off %.1f us/event "
                            + "(difference %.1f us/event; replays %.1f s / %.1f s; encoding %.1f s)%n",
                    on.nanos / 1e3 / lines.size(),
                    off.nanos / 1e3 / lines.size(),
                    (on.nanos - off.nanos) / 1e3 / lines.size(),
                    (t2 - t1) / 1e9,
                    (t1 - tw) / 1e9,
                    (t0 - te) / 1e9);
            // the scoring itself against the final summary (K keys, d = 384) and 32 short-term event means
            float[] q = io.ltm.topology.internal.Novelty.unitMean(
                    enc.encode(lines.get(at)).vectors(),
                    enc.encode(lines.get(at)).count(),
                    384);
            List<float[]> recent = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                recent.add(q);
            }
            double sink = 0;
            io.ltm.topology.internal.Novelty.Summary decoded =
                    io.ltm.topology.internal.Novelty.Summary.decode(lastSummary, 384);
            for (int i = 0; i < 2000; i++) {
                sink += io.ltm.topology.internal.Novelty.score(q, decoded, recent)
                        .novelty();
            }
            long s0 = System.nanoTime();
            for (int i = 0; i < 20000; i++) {
                sink += io.ltm.topology.internal.Novelty.score(q, decoded, recent)
                        .novelty();
            }
            long s1 = System.nanoTime();
            System.out.printf(
                    Locale.ROOT,
                    "Novelty.score: %.1f us per event (%d long-term keys, 32 short-term means, summary %d bytes) %s%n",
                    (s1 - s0) / 1e3 / 20000,
                    io.ltm.topology.internal.Novelty.keys(lastSummary),
                    lastSummary.length,
                    sink > 0 ? "" : " ");
        }
    }
}
