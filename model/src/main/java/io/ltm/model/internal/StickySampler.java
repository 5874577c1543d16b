package io.ltm.model.internal;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Sticky memories (official GPT-2 / dialogue code): a D-bin histogram of the previous reads' Gaussian attention mass
 * over [0,1], M i.i.d. draws of bins, position = left bin edge (the official within-bin offset is always 0),
 * sorted ascending. Randomness comes from an injected {@link RandomGenerator}, so a replay with the same seed is
 * bit-for-bit identical.
 */
public final class StickySampler {
    private StickySampler() {}

    /** Unnormalised histogram Σ_q ∫_{bin j} N(t; μ_q, sd_q²) dt, float64 on the device of {@code m}. */
    public static double[] histogram(NDManager m, double[] mu, double[] sd, int d) {
        try (NDManager t = m.newSubManager()) {
            return DeviceMath.gaussianBinMass(t.create(mu), t.create(sd), DeviceMath.stickyEdges(d))
                    .sum(new int[] {0})
                    .toDoubleArray();
        }
    }

    /** p = h / Σh clipped at 0; null when h is null or carries no mass. */
    public static double[] normalise(double[] h) {
        if (h == null) return null;
        double s = 0;
        for (double v : h) if (v > 0) s += v;
        if (!(s > 0) || !Double.isFinite(s)) return null;
        double[] p = new double[h.length];
        for (int i = 0; i < h.length; i++) p[i] = Math.max(0, h[i]) / s;
        return p;
    }

    /** M bins drawn i.i.d. from p (inverse CDF), sorted ascending. */
    public static int[] sampleBins(double[] p, int m, RandomGenerator rng) {
        double[] cum = new double[p.length];
        double acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            cum[i] = acc;
        }
        int[] b = new int[m];
        for (int j = 0; j < m; j++) {
            double u = rng.nextDouble() * acc;
            int k = Arrays.binarySearch(cum, u);
            k = k >= 0 ? k + 1 : -k - 1;
            while (k < p.length - 1 && p[k] <= 0) k++; // never land on an empty bin
            b[j] = Math.min(k, p.length - 1);
        }
        Arrays.sort(b);
        return b;
    }

    /** Left edges linspace(0,1,D+1)[b] of the sampled bins. */
    public static double[] leftEdges(int[] bins, int d) {
        double[] e = RidgeSolver.linspace(0, 1, d + 1);
        double[] s = new double[bins.length];
        for (int j = 0; j < bins.length; j++) s[j] = e[bins[j]];
        return s;
    }

    /** Seed of the draw for one contraction: a replay of the same state draws the same positions. */
    static long seedFor(long configSeed, long contractionIndex) {
        long z = configSeed * 0x9E3779B97F4A7C15L + contractionIndex + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
