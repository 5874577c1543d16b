package io.ltm.model.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The query's own work of one zero-shot read, in plain Java on host arrays, given the memory's precomputed keys
 * ({@link MemoryKeys}) and B: the same mathematics as {@link ContinuousAttention#zeroShot} followed by the profile,
 * the sticky histogram, {@link SpanFitter#modes} and the span scores, without a JNI call per operation. With cosine
 * keys the S basis functions of a centre share one key and so one attention weight: the bin-mass tables are summed
 * over them once ({@link BandedRows#foldRows}).
 *
 * <p>Per read: scores q·Kᵀ (one pass over the C×d keys), a softmax over the N basis functions, the moment-matched
 * Gaussian, the profile and histogram through banded bin-mass tables, the spans, and one pass over B that gives the
 * context (when the read asks for it) and the content under every span together (rows where every weight is exactly 0
 * are skipped: a span's Gaussian is narrow, so a read without the context passes over a fraction of B).
 * Constants per configuration; one instance per engine (not thread-safe only because the engine is not).
 */
public final class HostZeroShot {
    /** Rows of B added per pass over a read's outputs (see {@link #weightedRows}). */
    private static final int ROWS_PER_PASS = 4;

    /** Output of one read: context [d] or null, histogram [D] or null, fits {mu, sigma, weight}, score per fit. */
    public record Out(float[] context, double[] histogram, List<double[]> fits, double[] scores) {}

    private final int n;
    private final int d;
    private final int repeat; // basis functions per key (S with cosine keys, else 1)
    private final boolean cosine;
    private final double scoreScale;
    private final double sigma2Min;
    private final double[] keyMu; // the centre the basis functions of key i share
    private final double[] keyVar; // the sum of their variances σ_n²
    private final BandedRows profile;
    private final double[] profileRef;
    private final BandedRows sticky; // null when not sticky
    private final ExpectedPsi psi;
    private final Basis basis;
    private final double spacing;

    public HostZeroShot(
            DeviceMath math, int d, boolean cosine, double temperature, double sigma2Min, Integer stickyBins) {
        this.n = math.n();
        this.d = d;
        this.cosine = cosine;
        int keys = cosine ? n / math.basis().widths().length : n;
        this.repeat = n / keys;
        this.scoreScale = cosine ? 1.0 / temperature : 1.0 / (Math.sqrt(d) * temperature);
        this.sigma2Min = sigma2Min;
        double[] s = math.basis().sigma();
        double[] mu = math.basis().mu();
        // the moments of the attention run over the keys: all S basis functions of a key have its weight and centre
        this.keyMu = new double[keys];
        this.keyVar = new double[keys];
        for (int i = 0; i < keys; i++) {
            keyMu[i] = mu[i * repeat];
            for (int k = i * repeat; k < (i + 1) * repeat; k++) {
                if (mu[k] != keyMu[i]) throw new IllegalStateException("the basis functions of a key share a centre");
                keyVar[i] += s[k] * s[k];
            }
        }
        int rb = math.profileBins();
        this.profile =
                BandedRows.of(math.profileBinMass().toFloatArray(), n, rb).foldRows(repeat);
        this.profileRef = math.profileReference();
        this.sticky = stickyBins == null
                ? null
                : BandedRows.of(math.basisBinMass(stickyBins).toFloatArray(), n, stickyBins)
                        .foldRows(repeat);
        this.psi = new ExpectedPsi(math.basis());
        this.basis = math.basis();
        this.spacing = math.centreSpacing();
    }

    /**
     * Reads of one memory version, one per query: each gives what it would alone, but the keys and B are each streamed
     * from memory once for all of them. keysT: the keys of {@link MemoryKeys#rows} as [d][C]; b: B, row-major [N, d];
     * qs: the pooled queries [d]; spans: the spans each asks for; context: whether each asks for the context vector
     * (the span scores need only the content under the spans); filled: the end of the memory's content on [0, 1] (keys
     * centred past it, in the empty tail of a uniform epoch, get no attention, as in
     * {@link ContinuousAttention#zeroShot}).
     */
    public Out[] read(float[][] keysT, float[] b, float[][] qs, int[] spans, boolean[] context, double filled) {
        int g = qs.length;
        int c = n / repeat;
        // scores: s = K q̂ (cosine keys, q̂ = q/|q|) or K q; each row of the keys read once for every query
        float[][] qv = new float[g][];
        double[] qNorm = new double[g];
        for (int x = 0; x < g; x++) {
            float[] q = qs[x];
            double qq = 0;
            for (int j = 0; j < d; j++) qq += q[j] * (double) q[j];
            qNorm[x] = Math.sqrt(qq);
            qv[x] = q;
            if (cosine) {
                qv[x] = new float[d];
                float inv = (float) (1.0 / Math.max(qNorm[x], 1e-30));
                for (int j = 0; j < d; j++) qv[x][j] = q[j] * inv;
            }
        }
        float[][] s = scores(keysT, qv, c);
        boolean[] empty = new boolean[c];
        for (int i = 0; i < c; i++) empty[i] = keyMu[i] - spacing > filled;
        double[][] hist = new double[g][];
        List<List<double[]>> fits = new ArrayList<>(g);
        float[][][] r = new float[g][][];
        for (int x = 0; x < g; x++) {
            float[] a = new float[c]; // the attention of each basis function of key i (all S share it)
            double[] moments = attention(s[x], empty, a);
            double m1 = moments[0], s2 = moments[1];
            // profile, histogram, spans
            int rb = profile.cols();
            float[] prof = new float[rb];
            profile.leftMultiply(a, prof);
            double[] pm = new double[rb], dens = new double[rb];
            for (int t = 0; t < rb; t++) {
                pm[t] = prof[t];
                dens[t] = pm[t] / profileRef[t];
            }
            if (sticky != null) {
                float[] h = new float[sticky.cols()];
                sticky.leftMultiply(a, h);
                hist[x] = new double[h.length];
                for (int t = 0; t < h.length; t++) hist[x][t] = h[t];
            }
            List<double[]> f = SpanFitter.withoutBasisBlur(SpanFitter.modes(dens, pm, spans[x]), basis);
            fits.add(f);
            // the context (r of the read's Gaussian) and the content under every span
            r[x] = new float[1 + f.size()][];
            r[x][0] = context[x] ? psi.expected(m1, s2) : null;
            for (int k = 0; k < f.size(); k++) r[x][k + 1] = psi.expected(f.get(k)[0], f.get(k)[1] * f.get(k)[1]);
        }
        float[][][] acc = weightedRows(b, n, d, r);
        Out[] out = new Out[g];
        for (int x = 0; x < g; x++) {
            List<double[]> f = fits.get(x);
            double[] scores = new double[f.size()];
            for (int k = 0; k < f.size(); k++) {
                float[] y = acc[x][k + 1];
                double dot = 0, yy = 0;
                for (int j = 0; j < d; j++) {
                    dot += y[j] * (double) qs[x][j];
                    yy += y[j] * (double) y[j];
                }
                scores[k] = dot / Math.max(Math.sqrt(yy) * qNorm[x], 1e-30);
            }
            out[x] = new Out(context[x] ? acc[x][0] : null, hist[x], f, scores);
        }
        return out;
    }

    /**
     * acc[x][o] = Σ_k r[x][o][k] B_k over the rows of B ([n, d] row-major) for every output o of every query x (null
     * outputs are skipped and get a zero vector), in one pass over B: a row is read once for all outputs, and only
     * where some weight is not 0 (a span's E[ψ] is 0 outside a few rows). Four rows at a time: one load and store of
     * an output per four rows (the store, not the arithmetic, bounds an axpy). Each output still adds the rows one at
     * a time in order, and a row of weight 0 adds exactly ±0 to a sum that is never −0 (B is finite), so the sums are
     * those of one row per pass, row by row.
     */
    static float[][][] weightedRows(float[] b, int n, int d, float[][][] r) {
        int g = r.length;
        float[][][] acc = new float[g][][];
        for (int x = 0; x < g; x++) acc[x] = new float[r[x].length][d];
        // each row copied out first: JDK 17's C2 vectorises x[j] += w·row[j], not b[k·d + j]
        float[][] rows = new float[ROWS_PER_PASS][d];
        for (int k0 = 0; k0 < n; k0 += ROWS_PER_PASS) {
            int m = Math.min(ROWS_PER_PASS, n - k0);
            if (!anyWeight(r, k0, m)) continue;
            for (int t = 0; t < m; t++) System.arraycopy(b, (k0 + t) * d, rows[t], 0, d);
            for (int x = 0; x < g; x++) {
                for (int o = 0; o < r[x].length; o++) {
                    float[] rx = r[x][o];
                    if (rx == null) continue;
                    float[] y = acc[x][o];
                    if (m == ROWS_PER_PASS) {
                        float w0 = rx[k0], w1 = rx[k0 + 1], w2 = rx[k0 + 2], w3 = rx[k0 + 3];
                        if (w0 == 0f && w1 == 0f && w2 == 0f && w3 == 0f) continue;
                        float[] r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3];
                        for (int j = 0; j < d; j++)
                            y[j] = (((y[j] + w0 * r0[j]) + w1 * r1[j]) + w2 * r2[j]) + w3 * r3[j];
                        continue;
                    }
                    for (int t = 0; t < m; t++) {
                        float w = rx[k0 + t];
                        if (w == 0f) continue;
                        float[] row = rows[t];
                        for (int j = 0; j < d; j++) y[j] += w * row[j];
                    }
                }
            }
        }
        return acc;
    }

    /** Whether any output weighs any of rows [k0, k0 + m) of B. */
    private static boolean anyWeight(float[][][] r, int k0, int m) {
        for (float[][] rx : r)
            for (float[] w : rx) {
                if (w == null) continue;
                for (int k = k0; k < k0 + m; k++) if (w[k] != 0f) return true;
            }
        return false;
    }

    /**
     * s[x] = K qv[x] for every query, from the transposed keys [d][C]: s[x] += Σ_{r<4} qv[x][j+r]·kt[j+r] as
     * vectorised passes over C that add four rows at once (one load and store of s per four products: the store port,
     * not the arithmetic, bounds an axpy), the rows shared by the group while they are in cache. Each score is the
     * same sum whatever the group, so a query read alone and one read in a batch get the same bits. Faster than C
     * dot products over row-major keys, in cache and from a 480 MiB L3 alike (C2 does not vectorise a float reduction).
     */
    private float[][] scores(float[][] kt, float[][] qv, int c) {
        int g = qv.length;
        float[][] s = new float[g][c];
        int j = 0;
        for (; j + 3 < d; j += 4) { // four rows per pass, unrolled
            float[] r0 = kt[j], r1 = kt[j + 1], r2 = kt[j + 2], r3 = kt[j + 3];
            for (int x = 0; x < g; x++) {
                float[] q = qv[x], sx = s[x];
                float w0 = q[j], w1 = q[j + 1], w2 = q[j + 2], w3 = q[j + 3];
                for (int i = 0; i < c; i++) sx[i] += (w0 * r0[i] + w1 * r1[i]) + (w2 * r2[i] + w3 * r3[i]);
            }
        }
        for (; j < d; j++) {
            float[] r = kt[j];
            for (int x = 0; x < g; x++) {
                float w = qv[x][j];
                float[] sx = s[x];
                for (int i = 0; i < c; i++) sx[i] += w * r[i];
            }
        }
        return s;
    }

    /**
     * Σ_j k[o + j] q[j] over j < d in eight partial sums, float (a query's norm, novelty's cosines with recent events;
     * the short-term read's products in {@link ShortTermMemory#dotAndSquare}, in the same order): eight independent
     * chains, as the JIT does not vectorise a float reduction.
     */
    public static float dot(float[] k, int o, float[] q, int d) {
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        int j = 0;
        for (; j + 7 < d; j += 8) {
            a0 += q[j] * k[o + j];
            a1 += q[j + 1] * k[o + j + 1];
            a2 += q[j + 2] * k[o + j + 2];
            a3 += q[j + 3] * k[o + j + 3];
            a4 += q[j + 4] * k[o + j + 4];
            a5 += q[j + 5] * k[o + j + 5];
            a6 += q[j + 6] * k[o + j + 6];
            a7 += q[j + 7] * k[o + j + 7];
        }
        for (; j < d; j++) a0 += q[j] * k[o + j];
        return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
    }

    /**
     * The softmax over the N basis functions (basis n has key n / repeat) of scores s into a (per key, every basis
     * function of a key gets it), and the moment-matched Gaussian: {mean, variance}. Moments in float64 over the keys
     * (a key's S basis functions share its weight and centre), two passes (Σ a (μ_n − μ)² + σ_n², not m2 − μ², which
     * cancels when σ² is small).
     */
    private double[] attention(float[] s, boolean[] empty, float[] a) {
        int c = s.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < c; i++) if (!empty[i]) max = Math.max(max, s[i] * scoreScale);
        double[] e = new double[c];
        double sum = 0;
        for (int i = 0; i < c; i++) {
            e[i] = empty[i] ? 0 : Math.exp(s[i] * scoreScale - max);
            sum += e[i];
        }
        double norm = 1.0 / (sum * repeat);
        double m1 = 0, m2 = 0;
        for (int i = 0; i < c; i++) {
            e[i] *= norm; // the weight of each of key i's basis functions
            a[i] = (float) e[i];
            m1 += e[i] * keyMu[i];
        }
        m1 *= repeat;
        for (int i = 0; i < c; i++) {
            double dm = keyMu[i] - m1;
            m2 += e[i] * (repeat * dm * dm + keyVar[i]);
        }
        return new double[] {m1, Math.max(m2, sigma2Min)};
    }
}
