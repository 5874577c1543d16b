package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ltm.model.internal.Basis;
import io.ltm.model.internal.DeviceMath;
import io.ltm.model.internal.Half;
import io.ltm.model.internal.MemoryUpdate;
import io.ltm.model.internal.StickySampler;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The math on its own terms: closed forms, reconstruction, contraction, sticky sampling, half floats. */
class MathPropertiesTest {

    @Test
    void closedFormExpectationMatchesNumericalIntegration() {
        for (double[] widths : new double[][] {{0.005, 0.01}, {0.01, 0.05}, {0.02, 0.03, 0.07}}) {
            Basis b = Basis.of(30, widths);
            double[] mus = {0.0, 0.3, 0.5, 1.0, 0.97};
            double[] s2 = {1e-4, 1e-3, 0.01, 0.05, 2e-5};
            double[] r = b.expectedPsi(mus, s2);
            int steps = 60_000;
            double lo = -1.5, hi = 2.5, h = (hi - lo) / steps;
            double worst = 0, peak = 0;
            for (int q = 0; q < mus.length; q++) {
                for (int n = 0; n < b.size(); n++) {
                    double acc = 0;
                    for (int i = 0; i <= steps; i++) {
                        double t = lo + i * h;
                        double p =
                                Math.exp(-0.5 * (t - mus[q]) * (t - mus[q]) / s2[q]) / Math.sqrt(2 * Math.PI * s2[q]);
                        double zz = (t - b.mu(n)) / b.sigma(n);
                        double psi = Math.exp(-0.5 * zz * zz) / (b.sigma(n) * Basis.SQRT2PI);
                        acc += (i == 0 || i == steps ? 0.5 : 1) * p * psi;
                    }
                    acc *= h;
                    worst = Math.max(worst, Math.abs(acc - r[q * b.size() + n]));
                    peak = Math.max(peak, Math.abs(acc));
                }
            }
            assertThat(worst / peak)
                    .as("widths %s", java.util.Arrays.toString(widths))
                    .isLessThan(1e-8);
        }
    }

    @Test
    void deviceClosedFormMatchesHost() {
        Basis b = Basis.of(64, 0.01, 0.05);
        try (NDManager m = NDManager.newBaseManager(MemoryEngine.defaultDevice(), "PyTorch");
                DeviceMath k = new DeviceMath(m, b, 16, 16, 0.5, false)) {
            double[] mus = {0.0, 0.25, 0.5, 0.9, 1.0};
            double[] s2 = {1e-4, 1e-3, 0.01, 0.05, 0.2};
            float[] dev = k.expectedPsi(m.create(DeviceMath.toFloat(mus)), m.create(DeviceMath.toFloat(s2)))
                    .toFloatArray();
            assertThat(TestSignals.rel(TestSignals.toDouble(dev), b.expectedPsi(mus, s2)))
                    .isLessThan(1e-5);
            double[] t = TestSignals.grid(-0.2, 1.2, 57);
            float[] psi = k.psi(m.create(DeviceMath.toFloat(t))).toFloatArray();
            assertThat(TestSignals.rel(TestSignals.toDouble(psi), b.psi(t))).isLessThan(1e-5);
        }
    }

    @Test
    void reconstructionErrorFallsWithN() {
        int l = 512, e = 8;
        double[] t = TestSignals.midpoints(l);
        float[] x = TestSignals.smooth(t, e, 8, new Random(1));
        double[] errs = new double[4];
        int[] ns = {16, 64, 256, 512};
        try (NDManager m = NDManager.newBaseManager(MemoryEngine.defaultDevice(), "PyTorch")) {
            for (int i = 0; i < ns.length; i++) {
                Basis b = Basis.of(ns[i], 0.005, 0.01);
                try (DeviceMath k = new DeviceMath(m, b, l, 512, 0.5, false);
                        NDManager s = m.newSubManager()) {
                    float[] coef =
                            MemoryUpdate.fresh(k, s.create(x, new Shape(l, e))).toFloatArray();
                    errs[i] = TestSignals.rel(TestSignals.reconstruct(coef, b, e, t), TestSignals.toDouble(x));
                }
            }
        }
        System.out.println(
                "reconstruction error vs N " + java.util.Arrays.toString(ns) + ": " + java.util.Arrays.toString(errs));
        assertThat(errs[0]).isGreaterThan(errs[1]);
        assertThat(errs[1]).isGreaterThan(errs[2]);
        assertThat(errs[3]).isLessThan(0.05);
        assertThat(errs[0]).isGreaterThan(0.5);
    }

    @Test
    void contractionPreservesTheOldSignal() {
        // GPT-2 numbers: N=L=M=512, τ=0.5; a first epoch of one contraction, so that the second one contracts
        MemoryConfig cfg =
                MemoryConfig.builder().dim(6).sticky(false).firstEpoch(1).build();
        Basis b = Basis.of(cfg.basisSize(), cfg.widths());
        Random rng = new Random(5);
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = ltm.absorb(
                    MemoryState.empty(cfg),
                    new TokenBatch(TestSignals.smooth(TestSignals.midpoints(512), 6, 4, rng), 512, null, null));
            double[] probe = TestSignals.grid(0.02, 0.98, 481);
            double[] old = TestSignals.reconstruct(s.coefficients(), b, 6, probe);
            s = ltm.absorb(
                    s, new TokenBatch(TestSignals.smooth(TestSignals.grid(0, 1, 512), 6, 4, rng), 512, null, null));
            double[] squeezed = new double[probe.length];
            for (int i = 0; i < probe.length; i++) squeezed[i] = 0.5 * probe[i];
            double err = TestSignals.rel(TestSignals.reconstruct(s.coefficients(), b, 6, squeezed), old);
            System.out.println("old signal after one contraction, relative error: " + err);
            assertThat(err).isLessThan(0.01); // reference: 0.30% for this configuration
            assertThat(s.contractions()).isEqualTo(2);
            assertThat(s.shortTermCount()).isZero();
        }
    }

    @Test
    void stickySamplingIsDeterministicAndFollowsTheHistogram() {
        double[] p = new double[16];
        p[3] = 0.5;
        p[10] = 0.25;
        p[11] = 0.25;
        int[] a = StickySampler.sampleBins(p, 4000, new SplittableRandom(42));
        int[] b = StickySampler.sampleBins(p, 4000, new SplittableRandom(42));
        assertThat(a).isEqualTo(b).isSorted();
        int c3 = 0, c10 = 0, other = 0;
        for (int v : a) {
            if (v == 3) c3++;
            else if (v == 10) c10++;
            else if (v != 11) other++;
        }
        assertThat(other).isZero();
        assertThat(c3 / 4000.0).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.03));
        assertThat(c10 / 4000.0).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.03));
        double[] pos = StickySampler.leftEdges(a, 16);
        for (double v : pos)
            assertThat(v * 16).isCloseTo(Math.rint(v * 16), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void stickyReplayOfTheEngineIsBitForBit() {
        // recency draws the sticky samples at random (seeded); uniform retention's warp is deterministic
        MemoryConfig cfg = MemoryConfig.builder()
                .dim(8)
                .basisSize(64)
                .contractionLength(32)
                .samples(32)
                .stickyBins(16)
                .retention(RetentionPolicy.RECENCY)
                .temperature(0.05)
                .seed(9)
                .build();
        float[][] runs = new float[2][];
        for (int run = 0; run < 2; run++) {
            Random rng = new Random(3);
            try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
                MemoryState s = MemoryState.empty(cfg);
                for (int i = 0; i < 6; i++) {
                    s = ltm.absorb(s, new TokenBatch(randn(32 * 8, rng), 32, null, null));
                    ReadResult r = ltm.read(s, randn(8, rng), 1, ReadOptions.defaults());
                    assertThat(r.attentionHistogram()).hasSize(16);
                    s = ltm.recordRead(s, r);
                    assertThat(s.stickyHistogram()).isNotNull();
                }
                runs[run] = s.coefficients();
                // the histogram is consumed by the next contraction
                MemoryState after = ltm.absorb(s, new TokenBatch(randn(32 * 8, rng), 32, null, null));
                assertThat(after.stickyHistogram()).isNull();
            }
        }
        assertThat(runs[0]).isEqualTo(runs[1]);
        // a different seed draws different positions
        MemoryConfig other = cfg.toBuilder().seed(10).build();
        Random rng = new Random(3);
        try (LongTermMemory ltm = LongTermMemory.create(other)) {
            MemoryState s = MemoryState.empty(other);
            for (int i = 0; i < 6; i++) {
                s = ltm.absorb(s, new TokenBatch(randn(32 * 8, rng), 32, null, null));
                s = ltm.recordRead(s, ltm.read(s, randn(8, rng), 1, ReadOptions.defaults()));
            }
            assertThat(s.coefficients()).isNotEqualTo(runs[0]);
        }
    }

    @Test
    void uniformRetentionGivesEveryTokenAnEqualShare() {
        MemoryConfig cfg = MemoryConfig.builder()
                .dim(4)
                .basisSize(64)
                .contractionLength(32)
                .samples(32)
                .retention(RetentionPolicy.UNIFORM)
                .sticky(false)
                .firstEpoch(1) // after 4 contractions the epoch holds 4: they span [0, 1]
                .build();
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = MemoryState.empty(cfg);
            Random rng = new Random(1);
            for (int i = 0; i < 4; i++) s = ltm.absorb(s, new TokenBatch(randn(32 * 4, rng), 32, null, null));
            // after 4 segments of 32 tokens, the first segment spans a quarter of [0,1]: token i sits at (i + ½)/128
            assertThat(s.timeline().positionOf(32)).isCloseTo(32.5 / 128, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(s.timeline().positionOf(100)).isCloseTo(100.5 / 128, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void halfFloatRoundTrip() {
        float[] v = {0f, -0f, 1f, -2.5f, 65504f, 6.1e-5f, 5.96e-8f, 1e-3f, 3.14159f, Float.POSITIVE_INFINITY};
        for (float f : v) {
            float back = Half.toFloat(Half.fromFloat(f));
            if (Float.isInfinite(f)) assertThat(back).isEqualTo(f);
            else assertThat((double) back).isCloseTo(f, org.assertj.core.data.Offset.offset(Math.abs(f) * 1e-3 + 6e-8));
        }
        assertThat(Half.fromFloat(1f)).isEqualTo((short) 0x3c00);
        assertThat(Half.fromFloat(-2f)).isEqualTo((short) 0xc000);
    }

    @Test
    void everyHalfDecodesToAFloatThatEncodesBackToIt() {
        for (int h = 0; h < 1 << 16; h++) {
            float f = Half.toFloat((short) h);
            if (Float.isNaN(f)) continue;
            assertThat(Half.fromFloat(f) & 0xffff).as("half 0x%04x", h).isEqualTo(h);
        }
        assertThat(Half.toFloat((short) 0x0001)).isEqualTo(5.9604645e-8f); // smallest subnormal
        assertThat(Half.toFloat((short) 0x7bff)).isEqualTo(65504f);
    }

    @Test
    void everyKindOfFloatEncodesAsTheNearestHalfComputedInDoublesWithAndWithoutBranches() {
        SplittableRandom rnd = new SplittableRandom(16);
        for (int i = 0; i < 2_000_000; i++) {
            int bits = rnd.nextInt();
            // half of them near binary16's range, where the subnormal, normal and overflow cases meet
            if ((i & 1) == 0) bits = (bits & 0x807fffff) | ((0x60 + rnd.nextInt(0x30)) << 23);
            float f = Float.intBitsToFloat(bits);
            assertThat(Half.fromFloat(f) & 0xffff).as("float 0x%08x", bits).isEqualTo(nearestHalf(f));
            assertThat(Half.fromFloatBranchless(f) & 0xffff)
                    .as("float 0x%08x without branches", bits)
                    .isEqualTo(nearestHalf(f));
        }
        for (float f : new float[] {
            Float.NaN,
            Float.intBitsToFloat(0xff800001),
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.MAX_VALUE,
            Float.NEGATIVE_INFINITY,
            0x1p-25f,
            0x1.8p-25f,
            0x1p-24f,
            0x1.ffcp-15f,
            0x1.ffep-15f,
            65519.99f,
            65520f,
            -0f
        }) {
            assertThat(Half.fromFloat(f) & 0xffff).as("float %s", f).isEqualTo(nearestHalf(f));
            assertThat(Half.fromFloatBranchless(f) & 0xffff)
                    .as("float %s without branches", f)
                    .isEqualTo(nearestHalf(f));
        }
    }

    /** The binary16 nearest to f (ties to even), worked out in doubles, where scaling a float by 2^k is exact. */
    private static int nearestHalf(float f) {
        int sign = Float.floatToRawIntBits(f) >>> 31 << 15;
        if (Float.isNaN(f)) return sign | 0x7e00;
        double a = Math.abs((double) f);
        if (a >= 65520) return sign | 0x7c00;
        if (a < 0x1p-14) return sign | (int) Math.rint(a / 0x1p-24); // 0x400 when it rounds up to the smallest normal
        int e = Math.getExponent(a);
        int m = (int) Math.rint(a / Math.scalb(1.0, e - 10)); // 1024..2048
        return sign | (((e + 15) << 10) + m - 1024); // m = 2048 carries into the exponent
    }

    @Test
    void floatsBetweenTwoHalvesRoundToTheNearestAndTiesToTheEvenOne() {
        for (int h = 0; h < 0x7bff; h++) { // every pair of adjacent finite non-negative halves
            float lo = Half.toFloat((short) h), hi = Half.toFloat((short) (h + 1));
            float mid = (lo + hi) / 2; // exact: a float has 13 more mantissa bits than a half
            int even = (h & 1) == 0 ? h : h + 1;
            assertThat(Half.fromFloat(mid) & 0xffff)
                    .as("tie above half 0x%04x", h)
                    .isEqualTo(even);
            assertThat(Half.fromFloat(Math.nextDown(mid)) & 0xffff)
                    .as("below the tie above 0x%04x", h)
                    .isEqualTo(h);
            assertThat(Half.fromFloat(Math.nextUp(mid)) & 0xffff)
                    .as("above the tie above 0x%04x", h)
                    .isEqualTo(h + 1);
            assertThat(Half.fromFloat(-mid) & 0xffff)
                    .as("negative tie above 0x%04x", h)
                    .isEqualTo(even | 0x8000);
        }
        assertThat(Half.fromFloat(65519.99f) & 0xffff).isEqualTo(0x7bff);
        assertThat(Half.fromFloat(65520f) & 0xffff).isEqualTo(0x7c00); // ties to even: infinity
    }

    static float[] randn(int n, Random rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
