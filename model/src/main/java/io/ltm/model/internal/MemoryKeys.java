package io.ltm.model.internal;

/**
 * The keys of the zero-shot head for one memory B [N, d], as C rows of d ({@link #rows}; {@link #transpose} gives
 * [d][C]): with cosine keys the reconstructed signal at the C = N/S basis centres, X̄(μ_i) = Σ_n ψ_n(μ_i) B_n,
 * normalised to unit length (what {@link ContinuousAttention#zeroShot} computes per query); with raw keys the rows of
 * B (C = N). Depends only on B: a memory version's keys are computed once, not once per query.
 *
 * <p>Ψ(centres) is banded (a basis function is below 1e-30 at centres farther than about 11.5 widths; at the
 * defaults 77% of it is zero), and the sums run in float64: the coefficients of a ridge fit alternate in sign, so
 * X̄ = ΨB cancels and a float32 sum loses about 1e-5 of the keys' relative accuracy, which the softmax (×1/T)
 * passes on to the read. One instance per configuration; immutable.
 */
public final class MemoryKeys {
    private final int n;
    private final boolean cosine;
    private final int keys;
    private final int[] lo; // first basis function of row i's band
    private final double[][] band; // ψ_{lo+k}(μ_i)

    public MemoryKeys(Basis basis, boolean cosine) {
        this.n = basis.size();
        this.cosine = cosine;
        int s = basis.widths().length;
        this.keys = cosine ? n / s : n;
        this.lo = new int[cosine ? keys : 0];
        this.band = new double[cosine ? keys : 0][];
        if (!cosine) return;
        double[] centres = new double[keys];
        for (int i = 0; i < keys; i++) centres[i] = basis.mu(i * s);
        double[] psi = basis.psi(centres);
        for (int i = 0; i < keys; i++) {
            int a = 0, b = n;
            while (a < n && psi[i * n + a] < 1e-30) a++;
            while (b > a && psi[i * n + b - 1] < 1e-30) b--;
            lo[i] = a;
            band[i] = java.util.Arrays.copyOfRange(psi, i * n + a, i * n + b);
            for (int k = 0; k < band[i].length; k++) if (band[i][k] < 1e-30) band[i][k] = 0;
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
            double[] p = band[i];
            for (int k = 0; k < p.length; k++) {
                double w = p[k];
                if (w == 0) continue;
                double[] row = bd[lo[i] + k];
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
