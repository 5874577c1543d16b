package io.ltm.model.internal;

/**
 * The keys of the zero-shot head for one memory B [N, d], as C rows of d ({@link #rows}; {@link #transpose} gives
 * [d][C]): with cosine keys the reconstructed signal at the C = N/S basis centres, X̄(μ_i) = Σ_n ψ_n(μ_i) B_n,
 * normalised to unit length (what {@link ContinuousAttention#zeroShot} computes per query); with raw keys the rows of
 * B (C = N). Depends only on B: a memory version's keys are computed once, not once per query.
 *
 * <p>Ψ(centres) is banded: a key's terms below {@link #NEGLIGIBLE} of its largest are dropped (at the defaults 62
 * of 512 remain). The sums run in float64: the coefficients of a ridge fit alternate in sign, so X̄ = ΨB cancels
 * (by about a thousandfold: dropping terms below 1e-8 moved unit keys by 1.2e-5) and a float32 sum loses about 1e-5
 * of the keys' relative accuracy, which the softmax (×1/T) passes on to the read. One instance per configuration;
 * immutable.
 */
public final class MemoryKeys {
    /**
     * Terms ψ_n(μ_i) below 1e-16 of key i's largest are 0: on memories of the default configuration they moved the
     * unit keys by at most 1.8e-12, below float32's resolution of their entries (about 4e-9 at 1/√384), where the
     * band of an absolute 1e-30 kept about twice the terms.
     */
    private static final double NEGLIGIBLE = 1e-16;

    private final int n;
    private final boolean cosine;
    private final int keys;
    private final int[][] terms; // the basis functions n of key i's terms, increasing
    private final double[][] weights; // their ψ_n(μ_i)

    public MemoryKeys(Basis basis, boolean cosine) {
        this.n = basis.size();
        this.cosine = cosine;
        int s = basis.widths().length;
        this.keys = cosine ? n / s : n;
        this.terms = new int[cosine ? keys : 0][];
        this.weights = new double[cosine ? keys : 0][];
        if (!cosine) return;
        double[] centres = new double[keys];
        for (int i = 0; i < keys; i++) centres[i] = basis.mu(i * s);
        double[] psi = basis.psi(centres);
        for (int i = 0; i < keys; i++) {
            double max = 0;
            for (int k = 0; k < n; k++) max = Math.max(max, psi[i * n + k]);
            double floor = max * NEGLIGIBLE;
            int count = 0;
            for (int k = 0; k < n; k++) if (psi[i * n + k] >= floor) count++;
            terms[i] = new int[count];
            weights[i] = new double[count];
            for (int k = 0, t = 0; k < n; k++) {
                if (psi[i * n + k] < floor) continue;
                terms[i][t] = k;
                weights[i][t++] = psi[i * n + k];
            }
        }
    }

    /** Number of keys C. */
    int count() {
        return keys;
    }

    /** The keys [C, d] as [d][C]: one array per row, what groups of queries read (see {@code HostZeroShot}). */
    public static float[][] transpose(float[] rows, int d) {
        int c = rows.length / d;
        float[][] t = new float[d][c];
        for (int i = 0; i < c; i++) for (int j = 0; j < d; j++) t[j][i] = rows[i * d + j];
        return t;
    }

    /** Keys of B ([N, d] row-major), row-major [C, d]: with raw keys B itself (shared), else a new array. */
    public float[] rows(float[] b, int d) {
        if (b.length != n * d) throw new IllegalArgumentException("B must be [N, d]");
        if (!cosine) return b;
        float[] out = new float[keys * d];
        double[][] bd = new double[n][d]; // float64 rows once, so that the sums below are plain (vectorised) axpys
        for (int k = 0; k < n; k++) for (int j = 0; j < d; j++) bd[k][j] = b[k * d + j];
        double[] x = new double[d];
        for (int i = 0; i < keys; i++) {
            java.util.Arrays.fill(x, 0);
            double[] p = weights[i];
            int[] at = terms[i];
            int k = 0;
            // four rows per pass: one load and store of x per four products (the store, not the arithmetic, bounds
            // an axpy), 1.6 times as fast
            for (; k + 3 < p.length; k += 4) {
                double w0 = p[k], w1 = p[k + 1], w2 = p[k + 2], w3 = p[k + 3];
                double[] r0 = bd[at[k]], r1 = bd[at[k + 1]], r2 = bd[at[k + 2]], r3 = bd[at[k + 3]];
                for (int j = 0; j < d; j++) x[j] += (w0 * r0[j] + w1 * r1[j]) + (w2 * r2[j] + w3 * r3[j]);
            }
            for (; k < p.length; k++) {
                double w = p[k];
                double[] row = bd[at[k]];
                for (int j = 0; j < d; j++) x[j] += w * row[j];
            }
            double xx = 0;
            for (int j = 0; j < d; j++) xx += x[j] * x[j];
            double inv = 1.0 / Math.max(Math.sqrt(xx), 1e-30);
            for (int j = 0; j < d; j++) out[i * d + j] = (float) (x[j] * inv);
        }
        return out;
    }
}
