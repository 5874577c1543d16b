package io.ltm.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MiniLmEncoderTest {

    static MiniLmEncoder enc;

    @BeforeAll
    static void load() {
        enc = MiniLmEncoder.create();
    }

    @AfterAll
    static void close() {
        enc.close();
    }

    @Test
    void oneUnitVectorPerWordPieceWithoutSpecialTokens() {
        EncodedText e = enc.encode("The cat sat on the mat, unbelievably!");
        assertThat(enc.dimension()).isEqualTo(384);
        assertThat(enc.device()).isEqualTo("cpu()");
        assertThat(enc.options().maxBatchTokens()).isEqualTo(EncoderOptions.CPU_BATCH_TOKENS);
        assertThat(e.tokens())
                .containsExactly(
                        "the", "cat", "sat", "on", "the", "mat", ",", "un", "##bel", "##ie", "##va", "##bly", "!");
        assertThat(e.count()).isEqualTo(13);
        assertThat(e.vectors()).hasSize(13 * 384);
        for (int i = 0; i < e.count(); i++) {
            assertThat(VectorMath.dot(e.vectors(), i * 384, e.vectors(), i * 384, 384))
                    .isBetween(0.9999, 1.0001);
        }
        // contextual: the two "the" differ, but not by much
        double theThe = VectorMath.cosine(e.vector(0), e.vector(4));
        assertThat(theThe).isBetween(0.3, 0.999);
    }

    @Test
    void countTokensAgreesWithEncode() {
        for (String t : Arrays.asList(
                "The cat sat on the mat, unbelievably!",
                "",
                " \t ",
                null,
                "Numbers 12345 and symbols #@! are word pieces too")) {
            assertThat(enc.countTokens(t))
                    .as(String.valueOf(t))
                    .isEqualTo(enc.encode(t).count());
        }
    }

    @Test
    void deterministic() {
        List<String> texts = List.of("Kafka streams keep state per key.", "The cat sat on the mat");
        List<EncodedText> a = enc.encode(texts);
        List<EncodedText> b = enc.encode(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(b.get(i).tokens()).isEqualTo(a.get(i).tokens());
            assertMaxAbsDiff(a.get(i).vectors(), b.get(i).vectors(), 1e-6);
        }
    }

    @Test
    void similarSentencesAreCloserThanUnrelatedOnes() {
        List<EncodedText> e = enc.encode(List.of(
                "The cat sat on the mat",
                "A cat was sitting on a rug",
                "Quarterly revenue grew by eight percent in Europe"));
        double similar = VectorMath.cosine(e.get(0).mean(), e.get(1).mean());
        double unrelated = VectorMath.cosine(e.get(0).mean(), e.get(2).mean());
        double unrelated2 = VectorMath.cosine(e.get(1).mean(), e.get(2).mean());
        assertThat(similar).isGreaterThan(unrelated + 0.2).isGreaterThan(unrelated2 + 0.2);
    }

    @Test
    void emptyBlankAndNullTextsGiveZeroTokensAndKeepOrder() {
        List<EncodedText> e = enc.encode(new ArrayList<>(Arrays.asList("", "hello world", null, " \t ", "x")));
        assertThat(e).hasSize(5);
        assertThat(e.get(0).count()).isZero();
        assertThat(e.get(1).tokens()).containsExactly("hello", "world");
        assertThat(e.get(2).count()).isZero();
        assertThat(e.get(3).count()).isZero();
        assertThat(e.get(4).tokens()).containsExactly("x");
        assertThat(enc.encode(List.of())).isEmpty();
    }

    @Test
    void longTextIsWindowedWithOneVectorPerPieceAndNoLoss() {
        String[] sentences = {
            "The broker appended the record to partition seven of the events topic.",
            "A consumer group rebalanced after one member stopped sending heartbeats.",
            "Memory nodes compress old tokens into a continuous signal over time.",
            "Unbelievably, the quarterly numbers exceeded every analyst's forecast.",
            "She walked her dog along the river bank before breakfast."
        };
        List<String> parts = new ArrayList<>();
        int words = 0;
        for (int i = 0; words < 2000; i++) {
            String s = sentences[i % sentences.length] + " (" + i + ")";
            parts.add(s);
            words += s.split(" ").length;
        }
        String text = String.join(" ", parts);
        List<String> expected = new ArrayList<>();
        for (EncodedText p : enc.encode(parts)) {
            expected.addAll(p.tokens());
        }
        EncodedText e = enc.encode(text);
        assertThat(e.count()).isGreaterThan(2000).isEqualTo(expected.size());
        assertThat(e.tokens()).isEqualTo(expected);
        assertThat(e.vectors()).hasSize(e.count() * 384);
        for (int i = 0; i < e.count(); i++) {
            assertThat(VectorMath.dot(e.vectors(), i * 384, e.vectors(), i * 384, 384))
                    .as("row %d", i)
                    .isBetween(0.9999, 1.0001);
        }
        // the same sentence far into the text looks like the same sentence near its start (context is local)
        int n0 = parts.get(0).split(" ").length; // not exact in pieces; compare by token search instead
        int first = e.tokens().indexOf("broker");
        int late = e.tokens().subList(1500, e.count()).indexOf("broker") + 1500;
        assertThat(late).isGreaterThan(1500);
        assertThat(VectorMath.cosine(e.vector(first), e.vector(late))).isGreaterThan(0.8);
        assertThat(n0).isPositive();
    }

    @Test
    void windowStitchingMatchesTheFullContextVectors() {
        // about 200 pieces: one window for the default encoder, several windows of 62 pieces for the small one
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            sb.append("Event ").append(i).append(": the gateway retried the payment after a timeout. ");
        }
        String text = sb.toString();
        EncodedText full = enc.encode(text);
        try (MiniLmEncoder small =
                MiniLmEncoder.create(EncoderOptions.defaults().withWindow(64, 16))) {
            EncodedText win = small.encode(text);
            assertThat(full.count()).isGreaterThan(150).isLessThan(254);
            assertThat(win.tokens()).isEqualTo(full.tokens());
            double sum = 0;
            double min = 1;
            int aligned = 0;
            for (int i = 0; i < full.count(); i++) {
                double c = VectorMath.cosine(full.vector(i), win.vector(i));
                sum += c;
                min = Math.min(min, c);
                // an off-by-one in the stitching would make a neighbour's full-context vector the closer one
                boolean best = true;
                for (int k = Math.max(0, i - 2); k <= Math.min(full.count() - 1, i + 2); k++) {
                    if (k != i
                            && !full.tokens().get(k).equals(full.tokens().get(i))
                            && VectorMath.cosine(full.vector(k), win.vector(i)) >= c) {
                        best = false;
                    }
                }
                aligned += best ? 1 : 0;
            }
            double mean = sum / full.count();
            System.out.printf(
                    "window stitching (62-piece windows, overlap 16 vs one window): mean cosine %.4f, min %.4f, aligned %d of %d%n",
                    mean, min, aligned, full.count());
            assertThat(aligned).isEqualTo(full.count());
            assertThat(mean).isGreaterThan(0.85);
            assertThat(min).isGreaterThan(0.5);
        }
    }

    @Test
    void batchResultsEqualSingleResultsWithinQuantizationTolerance() {
        List<String> texts = List.of(
                "short one",
                "The cat sat on the mat",
                "A considerably longer text about consumer groups, partitions, offsets and exactly-once transactions in Kafka.",
                "",
                "Numbers 12345 and symbols #@! are word pieces too");
        List<EncodedText> batch = enc.encode(texts);
        double worst = 1;
        double sum = 0;
        int n = 0;
        double maxDiff = 0;
        for (int i = 0; i < texts.size(); i++) {
            EncodedText single = enc.encode(texts.get(i));
            assertThat(batch.get(i).tokens()).isEqualTo(single.tokens());
            for (int t = 0; t < single.count(); t++) {
                double c = VectorMath.cosine(single.vector(t), batch.get(i).vector(t));
                worst = Math.min(worst, c);
                sum += c;
                n++;
                for (int j = 0; j < 384; j++) {
                    maxDiff = Math.max(
                            maxDiff,
                            Math.abs(
                                    single.vectors()[t * 384 + j] - batch.get(i).vectors()[t * 384 + j]));
                }
            }
        }
        System.out.printf(
                "batch vs single: mean token cosine %.5f, worst %.5f, max abs diff %.5f%n", sum / n, worst, maxDiff);
        // int8 dynamic quantization uses one activation scale per tensor, i.e. per batch: not bit-identical
        assertThat(sum / n).isGreaterThan(0.98);
        assertThat(worst).isGreaterThan(0.95);
    }

    @Test
    void oneWindowPerModelCallMakesBatchResultsExact() {
        List<String> texts =
                List.of("short one", "The cat sat on the mat", "", "Numbers 12345 and symbols #@! are word pieces too");
        try (MiniLmEncoder exact =
                MiniLmEncoder.create(EncoderOptions.defaults().withBatch(8192, 1))) {
            List<EncodedText> batch = exact.encode(texts);
            for (int i = 0; i < texts.size(); i++) {
                EncodedText single = exact.encode(texts.get(i));
                assertThat(batch.get(i).tokens()).isEqualTo(single.tokens());
                assertMaxAbsDiff(batch.get(i).vectors(), single.vectors(), 1e-6);
            }
        }
    }

    private static void assertMaxAbsDiff(float[] a, float[] b, double tol) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        assertThat(m).isLessThanOrEqualTo(tol);
    }
}
