package io.ltm.model.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.model.MemoryConfig;
import io.ltm.model.RetentionPolicy;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recall and sorting benchmarks at a tiny size, on a synthetic corpus (licence files and a gzipped changelog). */
class RecallBenchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String words(SplittableRandom r, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(' ');
            int len = 3 + r.nextInt(6);
            for (int k = 0; k < len; k++) b.append((char) ('a' + r.nextInt(26)));
        }
        return b.toString();
    }

    private void corpus() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        Path lic = Files.createDirectories(tmp.resolve("licenses"));
        for (String name : List.of("ALPHA", "BETA")) {
            StringBuilder t = new StringBuilder();
            for (int p = 0; p < 20; p++) t.append(words(r, 20 + r.nextInt(30))).append("\n\n");
            Files.writeString(lic.resolve(name), t.toString());
        }
        Path pkg = Files.createDirectories(tmp.resolve("doc/pkg"));
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(pkg.resolve("changelog.Debian.gz")))) {
            for (int l = 0; l < 400; l++) {
                // a few lines name a security fix or a closed bug: what the natural questions ask about
                String id =
                        l % 50 == 25 ? " fixes CVE-2024-" + (1000 + l) : l % 50 == 40 ? " closes: #" + (70000 + l) : "";
                o.write((words(r, 4 + r.nextInt(10)) + id + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void recallAtTinySizeHasItsFieldsAndTheExactIndexFindsEveryNeedle() throws Exception {
        corpus();
        RecallBench.Options o = new RecallBench.Options(
                new int[] {7000, 14000
                }, // the term filter's first segments are 64 tokens: under 1% from 6,400 tokens on
                List.of(RetentionPolicy.UNIFORM),
                "hashing",
                tmp.resolve("licenses"),
                tmp.resolve("doc"),
                1,
                true,
                MemoryConfig.defaults(),
                512);
        ObjectNode root = RecallBench.run(o, JSON);
        for (String f : List.of(
                "benchmark",
                "date",
                "cpu",
                "cores",
                "encoder",
                "budgetBytes",
                "needles",
                "corpusFiles",
                "corpusDigest",
                "results")) assertThat(root.has(f)).as(f).isTrue();
        // B at float16 and the term filter: the memory's state, which every bounded method gets too
        assertThat(root.get("budgetBytes").asLong()).isEqualTo(512L * 384 * 2 + 256 * 8192 / 8);
        List<String> methods = new ArrayList<>();
        for (JsonNode r : root.get("results")) {
            for (String f : List.of(
                    "length",
                    "tokens",
                    "method",
                    "retention",
                    "hitRate",
                    "hitRateAnyWidth",
                    "hitRateClipped",
                    "meanWidth",
                    "coverage",
                    "scoreAuc",
                    "queryMicros",
                    "stateBytes"))
                assertThat(r.has(f)).as(r.get("method") + "." + f).isTrue();
            assertThat(r.get("tokens").asLong())
                    .isGreaterThanOrEqualTo(r.get("length").asLong());
            methods.add(r.get("method").asText() + "/" + r.get("retention").asText());
            if (!r.get("method").asText().equals("exact-index"))
                assertThat(r.get("stateBytes").asLong())
                        .as(r.get("method").asText())
                        .isLessThanOrEqualTo(root.get("budgetBytes").asLong());
            if (r.get("method").asText().equals("memory+reread")) {
                // the second stage reads at most the budget per span, and never more than the stream
                assertThat(r.get("rereadBudgetTokens").asLong()).isEqualTo(512);
                assertThat(r.get("tokensRereadPerQuery").asDouble()).isBetween(1.0, 3.0 * 512);
            }
            assertThat(r.get("naturalQuestions").asInt()).isPositive();
            if (r.get("method").asText().equals("memory")) {
                // at a few thousand tokens the term filter's segments are a few tokens wide
                assertThat(r.get("hitRate").asDouble()).as(r.toString()).isEqualTo(1.0);
                assertThat(r.get("naturalHitRate").asDouble()).as(r.toString()).isEqualTo(1.0);
            }
            if (r.get("method").asText().equals("exact-index")) {
                assertThat(r.get("hitRate").asDouble()).isEqualTo(1.0);
                assertThat(r.get("scoreAuc").asDouble()).isGreaterThan(0.9);
                for (JsonNode q : r.get("perQuestion"))
                    assertThat(q.get("hit").asBoolean()).as(q.toString()).isTrue();
            }
        }
        assertThat(methods)
                .containsExactly(
                        "memory/uniform",
                        "memory+reread/uniform",
                        "recent-tokens/none",
                        "binary-sketch/none",
                        "reservoir/none",
                        "pooled-means/none",
                        "exact-index/none",
                        "term-filter/none",
                        "memory/uniform",
                        "memory+reread/uniform",
                        "recent-tokens/none",
                        "binary-sketch/none",
                        "reservoir/none",
                        "pooled-means/none",
                        "exact-index/none",
                        "term-filter/none");
        root.put("loadAverageAtEnd", "");
        Path out = tmp.resolve("out");
        RecallBench.write(root, JSON.writeValueAsString(root), out);
        assertThat(Files.readString(out.resolve("recall.md"))).contains("| exact-index | none | 1.00 | 1.00 | 1.00 |");
        assertThat(ImageIO.read(out.resolve("recall-hit-rate.png").toFile()).getWidth())
                .isPositive();
    }

    @Test
    void sketchRangesStayContiguousAndCoverTheStreamAfterMerges() {
        SplittableRandom r = new SplittableRandom(5);
        int d = 64;
        SketchIndex s = new SketchIndex(d, 20L * (d / 8 + 8));
        long pos = 0;
        for (int e = 0; e < 500; e++) {
            float[] m = new float[d];
            for (int j = 0; j < d; j++) m[j] = (float) (r.nextDouble() - 0.5);
            int n = 1 + r.nextInt(9);
            s.add(new float[n * d], n, m, pos, pos + n);
            pos += n;
        }
        assertThat(s.stateBytes()).isEqualTo(20L * (d / 8 + 8));
        List<Locator.Located> all = new ArrayList<>(s.top(new float[d], 100));
        assertThat(all).hasSize(20);
        all.sort(Comparator.comparingLong(Locator.Located::start));
        assertThat(all.get(0).start()).isZero();
        for (int i = 1; i < all.size(); i++)
            assertThat(all.get(i).start()).isEqualTo(all.get(i - 1).end());
        assertThat(all.get(all.size() - 1).end()).isEqualTo(pos);
    }

    @Test
    void pooledMeansKeepEqualWindowsWithExactMeans() {
        int d = 16, n = 1000;
        PooledMeans p = new PooledMeans(d, 8L * (2 * d + 8) + 4L * d);
        assertThat(p.capacity()).isEqualTo(8);
        SplittableRandom r = new SplittableRandom(9);
        float[][] v = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) v[i][j] = (float) (r.nextDouble() - 0.5);
            p.add(v[i], 1, v[i], i, i + 1);
        }
        assertThat(p.size()).isBetween(5, 8);
        assertThat(p.windowStart(0)).isZero();
        assertThat(p.windowEnd(p.size() - 1)).isEqualTo(n);
        long w = p.windowWidth();
        for (int i = 0; i < p.size(); i++) {
            long s = p.windowStart(i), e = p.windowEnd(i);
            if (i > 0) assertThat(s).isEqualTo(p.windowEnd(i - 1));
            if (i < p.size() - 1) assertThat(e - s).as("window " + i).isBetween(w / 2, w);
            float[] m = p.windowMean(i);
            for (int j = 0; j < d; j++) {
                double exact = 0;
                for (long t = s; t < e; t++) exact += v[(int) t][j] / (double) (e - s);
                assertThat((double) m[j])
                        .as("window " + i + " coordinate " + j)
                        .isCloseTo(exact, org.assertj.core.data.Offset.offset(2e-3));
            }
        }
        assertThat(p.stateBytes()).isLessThanOrEqualTo(8L * (2 * d + 8) + 4L * d);
    }

    @Test
    void sortingAtTinySizeHasItsFieldsAndRanksWell() {
        SortingBench.Options o =
                new SortingBench.Options(new int[] {2048}, List.of(RetentionPolicy.UNIFORM), 384, 8, 2, 1);
        ObjectNode root = SortingBench.run(o, JSON);
        for (String f : List.of("benchmark", "date", "cpu", "vocab", "budgetBytes", "results"))
            assertThat(root.has(f)).as(f).isTrue();
        List<String> methods = new ArrayList<>();
        for (JsonNode r : root.get("results")) {
            for (String f : List.of(
                    "length",
                    "method",
                    "retention",
                    "kendallTau",
                    "editAccuracy",
                    "kendallTauOldestQuarter",
                    "estimateMicros",
                    "stateBytes")) assertThat(r.has(f)).as(f).isTrue();
            methods.add(r.get("method").asText());
            if (r.get("method").asText().equals("exact-counts")) {
                assertThat(r.get("kendallTau").asDouble()).isEqualTo(1.0);
                assertThat(r.get("kendallTauOldestQuarter").asDouble()).isEqualTo(1.0);
            }
            if (r.get("method").asText().equals("memory"))
                assertThat(r.get("kendallTau").asDouble()).isGreaterThan(0.8);
            if (r.get("method").asText().equals("running-mean"))
                assertThat(r.get("kendallTau").asDouble()).isGreaterThan(0.9);
        }
        assertThat(methods)
                .containsExactly(
                        "memory", "recent-tokens", "reservoir", "pooled-means", "running-mean", "exact-counts");
    }

    @Test
    void rankMetrics() {
        assertThat(SortingBench.kendallTauB(new double[] {3, 2, 1}, new long[] {30, 20, 10}))
                .isEqualTo(1.0);
        assertThat(SortingBench.kendallTauB(new double[] {1, 2, 3}, new long[] {30, 20, 10}))
                .isEqualTo(-1.0);
        assertThat(SortingBench.editAccuracy(new int[] {0, 1, 2, 3}, new int[] {0, 1, 2, 3}))
                .isEqualTo(1.0);
        assertThat(SortingBench.editAccuracy(new int[] {1, 0, 2, 3}, new int[] {0, 1, 2, 3}))
                .isEqualTo(0.5);
        assertThat(RecallBench.union(List.of(
                        new Locator.Located(10, 20, 0),
                        new Locator.Located(15, 30, 0),
                        new Locator.Located(40, 41, 0))))
                .isEqualTo(21);
        assertThat(RecallBench.auc(new double[] {0.9, 0.8}, new double[] {0.1, 0.8}))
                .isEqualTo(0.875);
    }
}
