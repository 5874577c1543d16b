package io.ltm.model.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

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
    /** Output of one read: context [d] or null, histogram [D] or null, fits {mu, sigma, weight}, score per fit. */
    public record Out(float[] context, double[] histogram, List<double[]> fits, double[] scores) {}

    private final int n;
    private final int d;
    private final int repeat; // basis functions per key (S with cosine keys, else 1)
    private final boolean cosine;
    private final double scoreScale;
    private final double sigma2Min;
    private final double[] muD;
    private final double[] sig2;
    private final BandedRows profile;
    private final double[] profileRef;
    private final BandedRows sticky; // null when not sticky
    private final ExpectedPsi psi;
    private final Basis basis;
    private final double spacing;

    /** Partial sums of a score (see {@link #scores}). */
    private static final int PARTIALS = 8;
    /** From this many queries of one version, the scores are vectorised over the transposed keys. */
    private static final int TRANSPOSE_FROM_QUERIES = 3;
    /** Keys (C·d floats) from which one or two queries' pass over them is split across the cores. */
    private static final long PARALLEL_KEYS_FLOATS = 1 << 16;
    /** Blocks of key rows a split pass is cut into: enough for work-stealing to balance a few cores. */
    private static final int KEY_BLOCKS = 8;

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
        this.muD = math.basis().mu();
        this.sig2 = new double[n];
        for (int i = 0; i < n; i++) sig2[i] = s[i] * s[i];
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
     * from memory once for all of them. keys: [C, d] from {@link MemoryKeys#rows}, keysT the same as [d][C]; b: B,
     * row-major [N, d]; qs: the pooled queries [d]; spans: the spans each asks for; context: whether each asks for
     * the context vector (the span scores need only the content under the spans); filled: the end of the memory's
     * content on [0, 1] (keys centred past it, in the empty tail of a uniform epoch, get no attention, as in
     * {@link ContinuousAttention#zeroShot}).
     */
    public Out[] read(
            float[] keys, float[][] keysT, float[] b, float[][] qs, int[] spans, boolean[] context, double filled) {
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
        float[][] s = scores(keys, keysT, qv, c);
        boolean[] empty = new boolean[c];
        for (int i = 0; i < c; i++) empty[i] = muD[i * repeat] - spacing > filled;
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
        // one pass over B for every output of every query
        float[][][] acc = new float[g][][];
        for (int x = 0; x < g; x++) acc[x] = new float[r[x].length][d];
        float[] row =
                new float[d]; // each row copied out first: JDK 17's C2 vectorises x[j] += w·row[j], not b[k·d + j]
        for (int k = 0; k < n; k++) {
            boolean any = false;
            for (int x = 0; x < g && !any; x++) for (float[] rx : r[x]) any |= rx != null && rx[k] != 0f;
            if (!any) continue;
            System.arraycopy(b, k * d, row, 0, d);
            for (int x = 0; x < g; x++) {
                for (int o = 0; o < r[x].length; o++) {
                    if (r[x][o] == null) continue;
                    float w = r[x][o][k];
                    if (w == 0f) continue;
                    float[] y = acc[x][o];
                    for (int j = 0; j < d; j++) y[j] += w * row[j];
                }
            }
        }
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
     * s[x] = K qv[x] for every query, K row-major [C, d]. Every score is the same sum whatever the group: eight
     * partial sums over j ≡ m (mod 8) in increasing j (the tail after the last multiple of 8 into the first), combined
     * as ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7)), so that a query read alone and one read in a batch get the
     * same bits. A few queries take dot products straight from the rows (eight independent sums: the fastest scalar
     * pass over keys streamed from main memory); more queries share the transposed keys, where the same partial sums
     * are vectorised axpys over rows that stay in cache.
     */
    private float[][] scores(float[] keys, float[][] kt, float[][] qv, int c) {
        int g = qv.length;
        float[][] s = new float[g][c];
        if (g < TRANSPOSE_FROM_QUERIES) {
            // one core streams the keys from main memory at a fraction of what the cores together do: a large pass
            // is split into blocks of rows on the common pool (each score is still the same sum)
            int blocks = (long) c * d < PARALLEL_KEYS_FLOATS ? 1 : KEY_BLOCKS;
            IntStream range = IntStream.range(0, blocks);
            (blocks > 1 ? range.parallel() : range).forEach(bl -> {
                for (int i = bl * c / blocks, end = (bl + 1) * c / blocks; i < end; i++) {
                    int o = i * d;
                    for (int x = 0; x < g; x++) s[x][i] = dot(keys, o, qv[x], d);
                }
            });
            return s;
        }
        float[][] p = new float[PARTIALS][c];
        for (int x = 0; x < g; x++) {
            float[] q = qv[x];
            for (float[] pm : p) java.util.Arrays.fill(pm, 0f);
            int j = 0;
            for (; j + PARTIALS - 1 < d; j += PARTIALS) {
                for (int m = 0; m < PARTIALS; m++) {
                    float w = q[j + m];
                    float[] row = kt[j + m], pm = p[m];
                    for (int i = 0; i < c; i++) pm[i] += w * row[i];
                }
            }
            for (; j < d; j++) {
                float w = q[j];
                float[] row = kt[j], p0 = p[0];
                for (int i = 0; i < c; i++) p0[i] += w * row[i];
            }
            float[] sx = s[x];
            for (int i = 0; i < c; i++)
                sx[i] = ((p[0][i] + p[1][i]) + (p[2][i] + p[3][i])) + ((p[4][i] + p[5][i]) + (p[6][i] + p[7][i]));
        }
        return s;
    }

    /** Σ_j k[o + j] q[j] over j < d with the partial sums of {@link #scores} (also the short-term read's products). */
    static float dot(float[] k, int o, float[] q, int d) {
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        int j = 0;
        for (; j + PARTIALS - 1 < d; j += PARTIALS) {
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
     * function of a key gets it), and the moment-matched Gaussian: {mean, variance}. Moments in float64, two passes
     * (Σ a (μ_n − μ)² + σ_n², not m2 − μ², which cancels when σ² is small).
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
        for (int i = 0; i < c; i++) a[i] = (float) (e[i] * norm);
        double m1 = 0, m2 = 0;
        for (int k = 0; k < n; k++) m1 += e[k / repeat] * norm * muD[k];
        for (int k = 0; k < n; k++) {
            double dm = muD[k] - m1;
            m2 += e[k / repeat] * norm * (dm * dm + sig2[k]);
        }
        return new double[] {m1, Math.max(m2, sigma2Min)};
    }
}
