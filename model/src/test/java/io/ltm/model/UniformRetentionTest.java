package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.ltm.model.internal.Basis;
import io.ltm.model.internal.RidgeSolver;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UniformRetentionTest {

    /** A first epoch of one contraction: these tests follow the doublings from the second contraction on. */
    static MemoryConfig.Builder small() {
        return MemoryConfig.builder()
                .dim(8)
                .basisSize(64)
                .contractionLength(32)
                .samples(32)
                .retention(RetentionPolicy.UNIFORM)
                .firstEpoch(1);
    }

    @Test
    void everyTokenKeepsAnEqualShareOfTheAxisAtAnyLength() {
        MemoryConfig cfg = small().sticky(false).build();
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            Random rng = new Random(3);
            for (int c = 0; c < 100; c++) {
                s = ltm.absorb(s, new TokenBatch(MathPropertiesTest.randn(32 * 8, rng), 32, null, null));
            }
            // 3,200 tokens fill an epoch of 4,096: token i sits at (i + ½)/4096, however old it is
            for (long i : new long[] {0, 31, 32, 1000, 2047, 2048, 3199}) {
                assertThat(s.timeline().positionOf(i)).isCloseTo((i + 0.5) / 4096, offset(1e-9));
            }
            assertThat(s.timeline().knotCount()).isEqualTo(2);
        }
    }

    @Test
    void withinAnEpochAContractionAddsItsTokensAndRefitsNothingOld() {
        MemoryConfig cfg = small().sticky(false).ridgePenalty(0.5).build();
        int l = 32, d = 8, n = 64;
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            Random rng = new Random(5);
            for (int c = 0; c < 3; c++)
                s = ltm.absorb(s, new TokenBatch(MathPropertiesTest.randn(l * d, rng), l, null, null));
            float[] before = s.coefficients();
            float[] x = MathPropertiesTest.randn(l * d, rng);
            float[] after = ltm.absorb(s, new TokenBatch(x, l, null, null)).coefficients();
            // the 4th chunk of 32 lands in the epoch of 128 at t = (96 + i + ½)/128: B gains Â⁻¹ (L/128) Ψ(t)ᵀ X
            Basis basis = Basis.of(n, 0.005, 0.01);
            double[] t = new double[l];
            for (int i = 0; i < l; i++) t[i] = (96 + i + 0.5) / 128;
            double[] psi = basis.psi(t);
            double[] ainv = RidgeSolver.uniformGramInverse(basis, l, 0.5);
            double maxErr = 0, maxDelta = 0;
            for (int a = 0; a < n; a++) {
                for (int j = 0; j < d; j++) {
                    double expected = 0;
                    for (int b = 0; b < n; b++) {
                        double sb = 0;
                        for (int i = 0; i < l; i++) sb += psi[i * n + b] * x[i * d + j];
                        expected += ainv[a * n + b] * sb * l / 128.0;
                    }
                    double delta = after[a * d + j] - before[a * d + j];
                    maxErr = Math.max(maxErr, Math.abs(delta - expected));
                    maxDelta = Math.max(maxDelta, Math.abs(expected));
                }
            }
            assertThat(maxErr).isLessThan(1e-4 * maxDelta);
        }
    }

    @Test
    void contractionsWithinAnEpochAreKeptAsDeltasUntilTheConfiguredNumberThenBIsTakenWhole() {
        MemoryConfig deltas = small().sticky(false).coefficientDeltas(2).build();
        MemoryConfig whole = small().sticky(false).coefficientDeltas(0).build();
        int l = 32, d = 8;
        try (LongTermMemory a = LongTermMemory.create(deltas);
                LongTermMemory b = LongTermMemory.create(whole)) {
            MemoryState s = MemoryState.empty(deltas), w = MemoryState.empty(whole);
            Random rng = new Random(8);
            List<Integer> counts = new java.util.ArrayList<>();
            for (int c = 0; c < 11; c++) {
                float[] x = MathPropertiesTest.randn(l * d, rng);
                s = a.absorb(s, new TokenBatch(x, l, null, null));
                w = b.absorb(w, new TokenBatch(x, l, null, null));
                counts.add(s.coefficientLog().deltas().size());
                assertThat(w.coefficientLog().deltas()).isEmpty();
            }
            // chunks 1, 2, 3, 5 and 9 start or double an epoch (B rewritten whole); the others are deltas, at most 2
            // kept before B is taken whole again
            assertThat(counts).containsExactly(0, 0, 0, 1, 0, 1, 2, 0, 0, 1, 2);
            assertThat(relativeError(s.coefficientsRef(), w.coefficientsRef())).isLessThan(1e-5);

            // a combination of B's rows from the base and the deltas is that of B's rows
            CoefficientLog log = s.coefficientLog();
            assertThat(log.deltaCount()).isPositive();
            float[] weights = new float[deltas.basisSize()];
            for (int n = 20; n < 30; n++) weights[n] = (float) rng.nextGaussian();
            float[] viaLog = log.combination(weights), direct = new float[d];
            for (int n = 0; n < weights.length; n++)
                for (int c = 0; c < d; c++) direct[c] += weights[n] * log.coefficients()[n * d + c];
            assertThat(relativeError(viaLog, direct)).isLessThan(1e-5);
        }
    }

    @Test
    void blockedCombinationsAndBTakeTheSameBitsAsOneRowAtATime() {
        MemoryConfig cfg = small().sticky(false).coefficientDeltas(8).build();
        int l = 32, d = 8, n = cfg.basisSize();
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            Random rng = new Random(11);
            for (int c = 0; c < 8; c++)
                s = ltm.absorb(s, new TokenBatch(MathPropertiesTest.randn(l * d, rng), l, null, null));
            CoefficientLog log = s.coefficientLog();
            assertThat(log.deltaCount()).isGreaterThan(1);
            float[] base = log.base();
            // Z and Â⁻¹ as the log defines them, summed one row at a time in the documented order
            int lo = n, hi = 0;
            for (CoefficientDelta delta : log.deltas()) {
                lo = Math.min(lo, delta.lo());
                hi = Math.max(hi, delta.hi());
            }
            float[][] z = new float[hi - lo][d];
            for (CoefficientDelta delta : log.deltas()) {
                float[] y = delta.y();
                for (int k = delta.lo(); k < delta.hi(); k++) {
                    for (int c = 0; c < d; c++) z[k - lo][c] += y[(k - delta.lo()) * d + c];
                }
            }
            float[] g = RidgeSolver.uniformGramInverseFloat(
                    Basis.of(n, cfg.widths()), cfg.contractionLength(), cfg.ridgePenalty());

            // 11 combinations: a block of 8 and one of 3, some with disjoint and some with shared rows
            float[][] weights = new float[11][n];
            for (int i = 0; i < weights.length; i++)
                for (int r = 3 * i; r < 3 * i + 7 && r < n; r++) weights[i][r] = (float) rng.nextGaussian();
            float[][] blocked = log.combinations(weights);
            for (int i = 0; i < weights.length; i++) {
                float[] expected = new float[d];
                for (int r = 0; r < n; r++) for (int c = 0; c < d; c++) expected[c] += weights[i][r] * base[r * d + c];
                float[] onZ = new float[hi - lo];
                for (int r = 0; r < n; r++)
                    if (weights[i][r] != 0f)
                        for (int k = 0; k < onZ.length; k++) onZ[k] += weights[i][r] * g[r * n + lo + k];
                for (int k = 0; k < onZ.length; k++) for (int c = 0; c < d; c++) expected[c] += onZ[k] * z[k][c];
                assertThat(blocked[i]).as("combination %d", i).containsExactly(expected);
                assertThat(log.combination(weights[i])).containsExactly(expected);
            }

            float[] b = CoefficientLog.of(base, log.deltas(), cfg).coefficients();
            for (int r = 0; r < n; r++) {
                float[] expected = java.util.Arrays.copyOfRange(base, r * d, (r + 1) * d);
                for (int k = 0; k < z.length; k++)
                    for (int c = 0; c < d; c++) expected[c] += g[r * n + lo + k] * z[k][c];
                assertThat(java.util.Arrays.copyOfRange(b, r * d, (r + 1) * d))
                        .as("row %d", r)
                        .containsExactly(expected);
            }
        }
    }

    private static double relativeError(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += b[i] * (double) b[i];
        }
        return Math.sqrt(num / den);
    }

    @Test
    void stickyReadsGiveAttendedContentMoreOfTheAxisAtTheNextDoubling() {
        MemoryConfig cfg = small().sticky(true).build();
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            Random rng = new Random(7);
            for (int c = 0; c < 4; c++)
                s = ltm.absorb(s, new TokenBatch(MathPropertiesTest.randn(32 * 8, rng), 32, null, null));
            // reads that attended to the first quarter of [0,1] (tokens 0..31 of the full epoch of 128)
            double[] h = new double[cfg.stickyBins()];
            for (int b = 0; b < h.length / 4; b++) h[b] = 1;
            s = s.plusReads(h);
            MemoryState kept = ltm.absorb(s, new TokenBatch(MathPropertiesTest.randn(32 * 8, rng), 32, null, null));
            // without reads the first 32 tokens would occupy [0, 1/8); attended, they get more than twice that
            double end = kept.timeline().positionOf(32);
            assertThat(end).isGreaterThan(0.25);
            assertThat(kept.timeline().positionOf(128)).isCloseTo(0.5, offset(0.01));
            assertThat(kept.stickyHistogram()).isNull();
        }
    }

    @Test
    void stickyStatisticsWaitForTheNextDoubling() {
        MemoryConfig cfg = small().sticky(true).build();
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            Random rng = new Random(9);
            for (int c = 0; c < 5; c++)
                s = ltm.absorb(s, new TokenBatch(MathPropertiesTest.randn(32 * 8, rng), 32, null, null));
            double[] h = new double[cfg.stickyBins()];
            h[3] = 2;
            s = s.plusReads(h);
            // 160 tokens in an epoch of 256: the 6th chunk does not double, so the reads are kept for later
            MemoryState next = ltm.absorb(s, new TokenBatch(MathPropertiesTest.randn(32 * 8, rng), 32, null, null));
            assertThat(next.stickyHistogram()).containsExactly(h);
        }
    }

    /**
     * Five million tokens through the model: the state's size does not grow, every token's source range stays true,
     * and content planted anywhere in the stream is still found by a read: a topic of 20,480 tokens by the continuous
     * attention, three words in one event by a read with the query's token texts (the term filter).
     */
    @Test
    void fiveMillionTokensKeepAFixedStateTrueSourcesAndFindOldContent() {
        int d = 32, l = 512;
        MemoryConfig cfg = MemoryConfig.builder()
                .dim(d)
                .retention(RetentionPolicy.UNIFORM)
                .sticky(false)
                .build();
        long total = 5_000_192; // a whole number of 512-token events
        int events = (int) (total / l);
        int needles = 10, needleEvents = 40; // 20,480 tokens each, 0.4% of the stream
        SplittableRandom rng = new SplittableRandom(11);
        float[][] topics = new float[needles][];
        for (int k = 0; k < needles; k++) topics[k] = unit(rng, d);
        int[] needleStart = new int[needles];
        for (int k = 0; k < needles; k++) needleStart[k] = (int) ((k + 0.5) * events / needles) - needleEvents / 2;
        float[] x = new float[l * d];
        String[] vocabulary = new String[2_000];
        for (int w = 0; w < vocabulary.length; w++) vocabulary[w] = "w" + w;
        int[] wordEvent = new int[needles];
        for (int k = 0; k < needles; k++) wordEvent[k] = (int) ((k + 0.3) * events / needles);
        String[] tokens = new String[l];
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            long termBytes = s.terms().bytes();
            for (int e = 0; e < events; e++) {
                int needle = -1;
                for (int k = 0; k < needles; k++)
                    if (e >= needleStart[k] && e < needleStart[k] + needleEvents) needle = k;
                float[] centre = needle >= 0 ? topics[needle] : unit(rng, d);
                for (int i = 0; i < l; i++) {
                    for (int j = 0; j < d; j++) x[i * d + j] = centre[j] + (float) ((rng.nextDouble() - 0.5) * 0.6);
                }
                for (int i = 0; i < l; i++) tokens[i] = vocabulary[rng.nextInt(vocabulary.length)];
                for (int k = 0; k < needles; k++) {
                    if (e != wordEvent[k]) continue;
                    for (int w = 0; w < 3; w++) tokens[200 + w] = "needle" + k + "abc".charAt(w);
                }
                s = ltm.absorb(
                        s,
                        new TokenBatch(x, l, List.of(tokens), new TokenSource("ltm.tokens", 2, e, 1_000L * e, null)));
            }
            assertThat(s.tokensAbsorbed()).isEqualTo(total);
            // at 5M tokens the state holds what it held at 10k: B (N × d) and bounded knots, segments and tail (its
            // bytes, through the codec, are checked in topology's MemoryStateCodecTest)
            assertThat(s.timeline().knotCount()).isLessThanOrEqualTo(cfg.maxTimelineKnots());
            assertThat(s.shortTermCount()).isLessThan(l);
            assertThat(s.timeline().segmentCount()).isLessThanOrEqualTo(cfg.maxSourceSegments());
            assertThat(s.terms().bytes()).isEqualTo(termBytes);
            for (long tok = 0; tok < total; tok += 7919) {
                long event = tok / l;
                assertThat(s.timeline().sourceOf(tok).offset()).isLessThanOrEqualTo(event);
                assertThat(s.timeline().lastSourceOf(tok).offset()).isGreaterThanOrEqualTo(event);
            }
            int found = 0;
            for (int k = 0; k < needles; k++) {
                ReadResult r = ltm.read(s, topics[k], 1, new ReadOptions(3, false, false, AttentionHeadKind.ZERO_SHOT));
                long from = (long) needleStart[k] * l, to = from + (long) needleEvents * l;
                boolean hit = false;
                for (Span sp : r.spans())
                    hit |= sp.tokenStart() < to
                            && sp.tokenEnd() >= from
                            && sp.from().offset() <= needleStart[k] + needleEvents;
                if (hit) found++;
            }
            assertThat(found).isGreaterThanOrEqualTo(9);
            int named = 0;
            for (int k = 0; k < needles; k++) {
                List<String> question =
                        List.of("where", "are", "needle" + k + "a", "needle" + k + "b", "needle" + k + "c");
                ReadResult r = ltm.read(
                        new ReadRequest(null, s, topics[k], 1, new ReadOptions(3, false, false, null), question));
                long at = (long) wordEvent[k] * l + 200;
                boolean hit = false;
                for (Span sp : r.spans())
                    hit |= sp.tokenStart() <= at
                            && sp.tokenEnd() >= at + 2
                            && sp.tokenEnd() - sp.tokenStart() < total / 100
                            && sp.from().offset() <= wordEvent[k]
                            && sp.to().offset() >= wordEvent[k]
                            && sp.termMatch() > 0.5;
                if (hit) named++;
            }
            assertThat(named).isEqualTo(needles);
        }
    }

    private static float[] unit(SplittableRandom rng, int d) {
        float[] v = new float[d];
        double n = 0;
        for (int j = 0; j < d; j++) {
            v[j] = (float) (rng.nextDouble() - 0.5);
            n += v[j] * v[j];
        }
        for (int j = 0; j < d; j++) v[j] /= (float) Math.sqrt(n);
        return v;
    }

    @Test
    void aLongerFirstEpochFillsItsShareWithDeltasAndDoublesWhenFull() {
        MemoryConfig cfg = small().sticky(false).firstEpoch(8).build();
        int l = 32, d = 8;
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            Random rng = new Random(7);
            float[][] chunks = new float[9][];
            for (int c = 0; c < 8; c++) {
                chunks[c] = MathPropertiesTest.randn(l * d, rng);
                s = ltm.absorb(s, new TokenBatch(chunks[c], l, null, null));
                // B began as zeros and took one delta per contraction: no base written after the first
                assertThat(s.coefficientLog().deltaCount())
                        .as("contraction %d", c + 1)
                        .isEqualTo(c + 1);
                assertThat(s.timeline().filledUpTo()).isCloseTo(((c + 1) * l - 0.5) / (8.0 * l), offset(1e-12));
            }
            // the first epoch's tokens sit at (i + ½)/256
            for (long i : new long[] {0, 31, 32, 255}) {
                assertThat(s.timeline().positionOf(i)).isCloseTo((i + 0.5) / 256, offset(1e-12));
            }
            chunks[8] = MathPropertiesTest.randn(l * d, rng);
            MemoryState doubled = ltm.absorb(s, new TokenBatch(chunks[8], l, null, null));
            assertThat(doubled.coefficientLog().deltaCount())
                    .as("a doubling rewrites B")
                    .isZero();
            assertThat(doubled.timeline().filledUpTo()).isCloseTo((9 * l - 0.5) / (16.0 * l), offset(1e-12));
        }
    }

    @Test
    void aMemoryKeepsTheEpochsItBeganWithWhenTheFirstEpochSettingChanges() {
        MemoryConfig eight = small().sticky(false).firstEpoch(8).build();
        MemoryConfig one = small().sticky(false).build();
        int l = 32, d = 8;
        Random rng = new Random(11);
        float[][] chunks = new float[14][];
        for (int c = 0; c < chunks.length; c++) chunks[c] = MathPropertiesTest.randn(l * d, rng);
        try (LongTermMemory began = LongTermMemory.create(eight);
                LongTermMemory changed = LongTermMemory.create(one)) {
            MemoryState s = MemoryState.empty(eight);
            for (int c = 0; c < 3; c++) s = began.absorb(s, new TokenBatch(chunks[c], l, null, null));
            MemoryState kept = s, switched = s;
            for (int c = 3; c < chunks.length; c++) {
                kept = began.absorb(kept, new TokenBatch(chunks[c], l, null, null));
                switched = changed.absorb(switched, new TokenBatch(chunks[c], l, null, null));
            }
            assertThat(switched.coefficients()).isEqualTo(kept.coefficients());
            assertThat(switched.timeline()).isEqualTo(kept.timeline());
            // 14 contractions: the epoch of 8 doubled once, to 16
            assertThat(kept.timeline().filledUpTo()).isCloseTo((14 * l - 0.5) / (16.0 * l), offset(1e-12));
        }
    }

    @Test
    void theFirstEpochIsAPowerOfTwo() {
        for (int bad : new int[] {0, -1, 3, 6}) {
            assertThatThrownBy(() -> small().firstEpoch(bad).build())
                    .isInstanceOf(MemoryConfig.InvalidSetting.class)
                    .hasMessageContaining("firstEpoch");
        }
        assertThat(small().firstEpoch(16).build().firstEpoch()).isEqualTo(16);
    }
}
