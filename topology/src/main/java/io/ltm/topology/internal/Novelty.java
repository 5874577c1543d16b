package io.ltm.topology.internal;

import io.ltm.model.CoefficientLog;
import io.ltm.model.MemoryState;
import io.ltm.model.internal.Basis;
import io.ltm.model.internal.Half;
import io.ltm.model.internal.HostZeroShot;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * "Is this new?": the novelty of an event against a key's memory as it was before the event.
 *
 * <p><b>Definition.</b> m = the mean of the event's token vectors. novelty = 1 − max(c_LTM, c_STM), where
 * c_LTM = max_k cos(m, X̄(t_k)) over the remembered signal X̄(t) = Bᵀψ(t) at up to {@value #MAX_KEYS} evenly spaced
 * basis centres t_k inside the memory's filled extent (the zero-shot head's cosine keys), and
 * c_STM = max_j cos(m, m_j) over the mean vectors m_j of the events in the short-term buffer (those not yet contracted).
 * A key with no memory yet scores 1. The range is [0, 2]; 0 means an event just like something remembered.
 *
 * <p><b>Cost.</b> The long-term keys are computed once per contraction ({@link #summary}) and kept, normalised and
 * float16, as one small record per key in their own store: K·(4 + 2d) + 20 bytes (49 KB for K = 64, d = 384, against
 * 393 KB for B); scoring an event is K + J dot products of d floats, never a read of B. A summary names the long-term
 * record it was made of (its id, {@link ShortTermIndex#longTerm}), so that one made of another is not used.
 */
public final class Novelty {

    /** Most long-term keys in a summary (the default basis has 256 centres: every fourth one). */
    static final int MAX_KEYS = 64;
    /** ψ_n is negligible beyond this many widths from its centre. */
    private static final double CUTOFF = 4.0;

    /** int K, long tokens, long the long-term record's id. */
    private static final int HEADER = 20;
    /** The header of summaries written before they named their long-term record: int K, long tokens. */
    private static final int UNNAMED_HEADER = 12;

    private Novelty() {}

    /** The remembered signal X̄(t) = Σ_n ψ_n(t) B_n (host side, float; basis functions beyond 4σ skipped: < 3.4e-4 of their peak). */
    public static float[] signalAt(float[] b, Basis basis, int d, double t) {
        float[] w = weightsAt(basis, t);
        float[] acc = new float[d];
        for (int n = 0; n < w.length; n++) {
            if (w[n] == 0f) {
                continue;
            }
            int row = n * d;
            for (int j = 0; j < d; j++) {
                acc[j] += w[n] * b[row + j];
            }
        }
        return acc;
    }

    /** ψ_n(t) for every basis function, 0 beyond 4σ. */
    static float[] weightsAt(Basis basis, double t) {
        float[] w = new float[basis.size()];
        for (int n = 0; n < w.length; n++) {
            double z = (t - basis.mu(n)) / basis.sigma(n);
            if (Math.abs(z) <= CUTOFF) {
                w[n] = (float) basis.psi(n, t);
            }
        }
        return w;
    }

    /** The basis centres, in order (each centre carries every width). */
    public static double[] centres(Basis basis) {
        int s = basis.widths().length;
        double[] c = new double[basis.size() / s];
        for (int i = 0; i < c.length; i++) {
            c[i] = basis.mu(i * s);
        }
        return c;
    }

    /**
     * The long-term keys of a memory: X̄ at up to {@code maxKeys} evenly spaced centres within its filled extent,
     * normalised, as bytes (little-endian: int K, long tokens in the long-term memory, long {@code longTerm}: the id
     * of the long-term record {@code s} is, K float positions, K·d float16). K = 0 before the first contraction.
     */
    static byte[] summary(MemoryState s, long longTerm, Basis basis, int maxKeys) {
        return summary(s, s.coefficientLog(), longTerm, basis, maxKeys, null).bytes();
    }

    /**
     * The part of a summary's keys that reads B's base ({@link CoefficientLog#baseCombinations}) at every centre a
     * summary may pick ({@code picks}, indices into {@link #centres}; a summary uses the first of them, those within the
     * filled extent): valid for a later log whose base is the same array (held weakly: the sums must not keep a base
     * alive that B's cache has let go).
     */
    record BaseSums(WeakReference<float[]> base, int[] picks, float[][] sums) {}

    /**
     * A summary's bytes, the same decoded (what {@link Summary#decode} of the bytes gives) and the base's part of its
     * keys (null when it has none), for the key's next summary.
     */
    record Made(byte[] bytes, Summary summary, BaseSums baseSums) {}

    /**
     * As {@link #summary(MemoryState, long, Basis, int)} with B as {@code b} (the state's own, or the same as stored),
     * from {@code kept} (nullable: the previous summary's base part) when it was made for the same base: a long stream
     * takes a new base every 17 contractions, so most summaries add only the deltas' part to it (the same bits as
     * computing it again). The base part covers every centre a summary may pick, not only those within the filled
     * extent, which grows at almost every contraction of a filling epoch.
     */
    static Made summary(MemoryState s, CoefficientLog b, long longTerm, Basis basis, int maxKeys, BaseSums kept) {
        int d = s.dim();
        double[] c = centres(basis);
        double spacing = c.length > 1 ? c[1] - c[0] : 1;
        double filled = s.timeline().filledUpTo();
        int stride = Math.max(1, (c.length + maxKeys - 1) / maxKeys);
        int[] candidates = new int[(c.length + stride - 1) / stride];
        for (int i = 0; i < candidates.length; i++) candidates[i] = i * stride;
        // the centres increase, so those within the filled extent are the first k candidates
        int k = 0;
        while (b != null && k < candidates.length && c[candidates[k]] - spacing <= filled) k++;
        ByteBuffer out = ByteBuffer.allocate(HEADER + k * 4 + k * d * 2).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(k);
        out.putLong(s.longTermTokens());
        out.putLong(longTerm);
        float[] positions = new float[k];
        for (int i = 0; i < k; i++) {
            positions[i] = (float) c[candidates[i]];
            out.putFloat(positions[i]);
        }
        // from B's base and deltas, all keys in one pass: a contraction that added a delta does not compute B for this
        BaseSums sums = null;
        float[][] keys = new float[0][];
        if (k > 0) {
            float[] base = b.base();
            boolean reuse = kept != null && kept.base().get() == base && Arrays.equals(kept.picks(), candidates);
            float[][] weights = new float[reuse ? k : candidates.length][];
            for (int i = 0; i < weights.length; i++) weights[i] = weightsAt(basis, c[candidates[i]]);
            sums = reuse ? kept : new BaseSums(new WeakReference<>(base), candidates, b.baseCombinations(weights));
            // each combination is the same bits computed alone or with others (CoefficientLog#combinations)
            keys = b.combinations(Arrays.copyOf(weights, k), Arrays.copyOf(sums.sums(), k));
        }
        // the stored float16 values, and the same transposed as a decode would give them: not decoded again
        float[][] keysT = new float[d][keys.length];
        for (int i = 0; i < keys.length; i++) {
            float[] u = unit(keys[i]);
            for (int j = 0; j < d; j++) {
                short h = Half.fromFloat(u[j]);
                out.putShort(h);
                keysT[j][i] = Half.toFloat(h);
            }
        }
        return new Made(out.array(), new Summary(k, s.longTermTokens(), longTerm, positions, keysT), sums);
    }

    /** Tokens in the long-term memory a summary was made of. */
    static long tokens(byte[] summary) {
        return summary == null || summary.length < UNNAMED_HEADER
                ? 0
                : ByteBuffer.wrap(summary).order(ByteOrder.LITTLE_ENDIAN).getLong(4);
    }

    /** The header's length: summaries written before they named their record are told apart by their length. */
    private static int header(byte[] summary, int k, int d) {
        return summary.length == UNNAMED_HEADER + k * 4 + k * d * 2 ? UNNAMED_HEADER : HEADER;
    }

    /** The id of the long-term record a summary was made of ({@link ShortTermIndex#UNKNOWN} when it does not say). */
    static long longTerm(byte[] summary, int d) {
        if (summary == null || header(summary, keys(summary), d) == UNNAMED_HEADER) return ShortTermIndex.UNKNOWN;
        return ByteBuffer.wrap(summary).order(ByteOrder.LITTLE_ENDIAN).getLong(UNNAMED_HEADER);
    }

    /** Number of long-term keys in a summary. */
    public static int keys(byte[] summary) {
        return summary == null || summary.length < 4
                ? 0
                : ByteBuffer.wrap(summary).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    /** The mean of count vectors of dim d, normalised to unit length. */
    public static float[] unitMean(float[] v, int count, int d) {
        float[] m = new float[d];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < d; j++) {
                m[j] += v[i * d + j];
            }
        }
        return unit(m);
    }

    static float[] unit(float[] x) {
        double ss = 0;
        for (float v : x) {
            ss += v * (double) v;
        }
        double inv = ss > 0 ? 1.0 / Math.sqrt(ss) : 0;
        float[] out = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            out[j] = (float) (x[j] * inv);
        }
        return out;
    }

    /**
     * @param novelty    1 − max cosine, in [0, 2]; 1 when there was nothing to compare with
     * @param bestCosine the best cosine found (NaN when there was nothing to compare with)
     * @param nearestT   the memory position of the best long-term key, or NaN when the best match was short-term
     *                   (or there was none)
     */
    public record Score(double novelty, double bestCosine, double nearestT) {}

    /**
     * A summary decoded once for the events scored against it (a summary changes once per contraction; decoding its
     * K·d float16 values per event cost as much as the rest of the scoring).
     *
     * @param keys      number of long-term keys K
     * @param tokens    tokens in the long-term memory it was made of
     * @param longTerm  the id of the long-term record it was made of ({@link ShortTermIndex#UNKNOWN}: not said)
     * @param positions the K memory positions
     * @param keysT     the K unit keys, transposed: d rows of K (an event's K cosines are then vectorised passes over
     *                  K, not K dot products, which the JIT does not vectorise; rows of their own, as C2 does not
     *                  vectorise a loop over one array at an offset)
     */
    public record Summary(int keys, long tokens, long longTerm, float[] positions, float[][] keysT) {
        /** Decodes {@link #summary} bytes (null: no keys, no tokens). */
        public static Summary decode(byte[] summary, int d) {
            int k = Novelty.keys(summary);
            long id = Novelty.longTerm(summary, d);
            if (k == 0) {
                return new Summary(0, Novelty.tokens(summary), id, new float[0], new float[d][0]);
            }
            int header = header(summary, k, d);
            ByteBuffer bb = ByteBuffer.wrap(summary).order(ByteOrder.LITTLE_ENDIAN);
            float[] positions = new float[k];
            for (int i = 0; i < k; i++) {
                positions[i] = bb.getFloat(header + 4 * i);
            }
            short[] h = new short[k * d];
            bb.position(header + 4 * k);
            bb.asShortBuffer().get(h);
            float[][] keysT = new float[d][k];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < d; j++) {
                    keysT[j][i] = Half.toFloat(h[i * d + j]);
                }
            }
            return new Summary(k, Novelty.tokens(summary), id, positions, keysT);
        }
    }

    /** Scores a unit mean vector against a summary and the short-term event means (unit vectors). */
    public static Score score(float[] unitMean, Summary summary, List<float[]> recent) {
        double best = Double.NEGATIVE_INFINITY;
        double at = Double.NaN;
        float[] cos = cosines(unitMean, summary);
        for (int i = 0; i < cos.length; i++) {
            if (cos[i] > best) {
                best = cos[i];
                at = summary.positions()[i];
            }
        }
        for (float[] r : recent) {
            double dot = HostZeroShot.dot(r, 0, unitMean, unitMean.length);
            if (dot > best) {
                best = dot;
                at = Double.NaN;
            }
        }
        if (best == Double.NEGATIVE_INFINITY) {
            return new Score(1.0, Double.NaN, Double.NaN);
        }
        best = Math.max(-1, Math.min(1, best));
        return new Score(1 - best, best, at);
    }

    /**
     * The cosine of u with each long-term key, c = Kᵀu over the transposed keys, four rows per pass (one load and
     * store of c per four products), in float.
     */
    private static float[] cosines(float[] u, Summary summary) {
        int k = summary.keys();
        int d = u.length;
        float[][] kt = summary.keysT();
        float[] c = new float[k];
        int j = 0;
        for (; j + 3 < d; j += 4) {
            float[] r0 = kt[j], r1 = kt[j + 1], r2 = kt[j + 2], r3 = kt[j + 3];
            float w0 = u[j], w1 = u[j + 1], w2 = u[j + 2], w3 = u[j + 3];
            for (int i = 0; i < k; i++) {
                c[i] += (w0 * r0[i] + w1 * r1[i]) + (w2 * r2[i] + w3 * r3[i]);
            }
        }
        for (; j < d; j++) {
            float[] r = kt[j];
            float w = u[j];
            for (int i = 0; i < k; i++) {
                c[i] += w * r[i];
            }
        }
        return c;
    }
}
