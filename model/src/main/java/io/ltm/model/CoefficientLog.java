package io.ltm.model;

import io.ltm.model.internal.Basis;
import io.ltm.model.internal.RidgeSolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * The coefficients B as a base and the {@link CoefficientDelta}s of the contractions since it was taken:
 * B = base + Â⁻¹[:, W) · Σⱼ Yⱼ, where W is the union of the deltas' windows. A memory keeps a contraction as its delta
 * (about a twelfth of B on a long stream) and takes a new base only every {@link MemoryConfig#coefficientDeltas()} contractions or when a
 * contraction rewrites all of B (a doubling of uniform retention, the first contraction when the first epoch holds
 * one, every contraction of recency retention), so that storing a memory writes B rarely.
 *
 * <p>B is computed here, in Java float arithmetic, in one fixed order (the Yⱼ summed in order into Z, then
 * base + Â⁻¹[:, W)·Z row by row): every JVM and device computes the same bits, so a memory node, an attention worker's
 * replica and a restore from the changelogs agree exactly. It is computed once per log and kept.
 *
 * <p>A log read from storage ({@link #stored}) is decoded only when its values are needed: a contraction that adds a
 * delta to it needs none of them.
 */
public final class CoefficientLog {
    private static final int FINGERPRINT_SAMPLES = 64;
    private static final int DELTA_SAMPLES = 8;
    /** Rows of B, or combinations, computed together: their running sums (8 x d floats) stay in the L1 cache. */
    private static final int BLOCK = 8;

    /** A base and deltas as stored; decoded when first used, again after {@link #release}. */
    private static final class Stored {
        private final Supplier<Parts> source;
        private final int deltas;
        private volatile Parts parts;

        Stored(Supplier<Parts> source, int deltas) {
            this.source = source;
            this.deltas = deltas;
        }

        Parts parts() {
            Parts p = parts;
            if (p == null) {
                synchronized (this) {
                    if (parts == null) parts = source.get();
                    p = parts;
                }
            }
            return p;
        }

        /** Drops the decoded parts (they are decoded again if asked for). */
        void release() {
            parts = null;
        }
    }

    /** A decoded base and the deltas after it. */
    public record Parts(float[] base, List<CoefficientDelta> deltas) {}

    private final MemoryConfig cfg;
    private final int rows;
    private final int dim;
    private final Stored stored;
    /** Deltas after the stored ones. */
    private final List<CoefficientDelta> added;
    /** The fingerprint of the stored part, when its source said it (else computed from its values). */
    private final Long storedFingerprint;

    private volatile float[] coefficients;
    /** Â⁻¹, looked up once per log (novelty's summary combines rows 64 times per contraction). */
    private volatile float[] gram;

    private CoefficientLog(MemoryConfig cfg, Stored stored, List<CoefficientDelta> added, Long storedFingerprint) {
        this.cfg = cfg;
        this.rows = cfg.basisSize();
        this.dim = cfg.dim();
        this.stored = stored;
        this.added = added;
        this.storedFingerprint = storedFingerprint;
        for (CoefficientDelta d : added) check(d);
    }

    private void check(CoefficientDelta d) {
        if (d.hi() > rows || d.dim() != dim)
            throw new IllegalArgumentException(
                    "delta [" + d.lo() + ", " + d.hi() + ") x " + d.dim() + " does not fit B of " + rows + " x " + dim);
    }

    /** B itself, as the base of a log without deltas (the array is taken, not copied). */
    public static CoefficientLog of(float[] b, MemoryConfig cfg) {
        return of(b, List.of(), cfg);
    }

    /** B of zeros, the base of a memory that begins with deltas ({@link MemoryConfig#firstEpoch} above 1). */
    public static CoefficientLog zeros(MemoryConfig cfg) {
        return of(new float[cfg.basisSize() * cfg.dim()], cfg);
    }

    /** A base and its deltas in order (the arrays are taken, not copied). */
    public static CoefficientLog of(float[] base, List<CoefficientDelta> deltas, MemoryConfig cfg) {
        if (base.length != cfg.basisSize() * cfg.dim())
            throw new IllegalArgumentException("base must have N*d = " + cfg.basisSize() * cfg.dim() + " floats");
        List<CoefficientDelta> copy = List.copyOf(deltas);
        Parts parts = new Parts(base, copy);
        CoefficientLog log = new CoefficientLog(cfg, new Stored(() -> parts, copy.size()), List.of(), null);
        for (CoefficientDelta d : copy) log.check(d);
        return log;
    }

    /**
     * A log as a codec reads it: {@code deltas} deltas after the base, decoded by {@code decode} when its values are
     * first needed, with the {@link #fingerprint()} the codec stored beside it.
     */
    public static CoefficientLog stored(Supplier<Parts> decode, int deltas, long fingerprint, MemoryConfig cfg) {
        return new CoefficientLog(cfg, new Stored(decode, deltas), List.of(), fingerprint);
    }

    /** The log with more deltas after these. */
    public CoefficientLog plus(List<CoefficientDelta> more) {
        if (more.isEmpty()) return this;
        List<CoefficientDelta> all = new ArrayList<>(added.size() + more.size());
        all.addAll(added);
        all.addAll(more);
        return new CoefficientLog(cfg, stored, Collections.unmodifiableList(all), storedFingerprint);
    }

    /**
     * The deltas this log has after {@code earlier}, when it is {@code earlier} plus deltas (null otherwise), without
     * decoding either.
     */
    public List<CoefficientDelta> deltasAfter(CoefficientLog earlier) {
        if (earlier == null || earlier.stored != stored || added.size() < earlier.added.size()) return null;
        for (int j = 0; j < earlier.added.size(); j++) if (added.get(j) != earlier.added.get(j)) return null;
        return added.subList(earlier.added.size(), added.size());
    }

    /** N·d, the number of coefficients. */
    public int size() {
        return rows * dim;
    }

    /** The number of deltas after the base. */
    public int deltaCount() {
        return stored.deltas + added.size();
    }

    /** B = base + Â⁻¹[:, W)·Z (shared, do not modify). */
    public float[] coefficients() {
        float[] b = coefficients;
        if (b == null) {
            b = deltaCount() == 0 ? base() : apply(base());
            coefficients = b;
            // reads use B; a replica keeps its memories on the heap, and the float32 deltas would double B's share
            window = null;
            stored.release();
        }
        return b;
    }

    public float[] base() {
        return stored.parts().base();
    }

    public List<CoefficientDelta> deltas() {
        if (added.isEmpty()) return stored.parts().deltas();
        List<CoefficientDelta> all = new ArrayList<>(stored.parts().deltas());
        all.addAll(added);
        return all;
    }

    /** Z = Σⱼ Yⱼ over the union [lo, lo + z.length) of the deltas' windows, one array per row. */
    private record Window(int lo, float[][] z) {}

    private volatile Window window;

    private Window window() {
        Window w = window;
        if (w == null) {
            List<CoefficientDelta> deltas = deltas();
            int lo = rows, hi = 0;
            for (CoefficientDelta d : deltas) {
                lo = Math.min(lo, d.lo());
                hi = Math.max(hi, d.hi());
            }
            // one array per row: the loops below then index two arrays alike, which JDK 17's C2 vectorises (with a
            // row offset into a flat array it does not)
            float[][] z = new float[Math.max(0, hi - lo)][dim];
            for (CoefficientDelta d : deltas) {
                float[] y = d.y();
                for (int k = d.lo(); k < d.hi(); k++) {
                    float[] zk = z[k - lo];
                    int at = (k - d.lo()) * dim;
                    for (int c = 0; c < dim; c++) zk[c] += y[at + c];
                }
            }
            w = new Window(lo, z);
            window = w;
        }
        return w;
    }

    private float[] apply(float[] base) {
        float[] gramInverse = gramInverse();
        Window w = window();
        int d = dim;
        float[] b = new float[base.length];
        float[][] row = new float[BLOCK][dim];
        // rows in blocks, so that each row of Z is streamed once per block rather than once per row of B; every row
        // still sums its terms in the order k = 0, 1, ... (same bits)
        for (int r0 = 0; r0 < rows; r0 += BLOCK) {
            int nr = Math.min(BLOCK, rows - r0);
            for (int r = 0; r < nr; r++) System.arraycopy(base, (r0 + r) * dim, row[r], 0, dim);
            float[][] z = w.z();
            int k = 0;
            // four terms per pass over a row (one load and store of it per four), still added in order: same bits
            for (; k + 3 < z.length; k += 4) {
                float[] z0 = z[k], z1 = z[k + 1], z2 = z[k + 2], z3 = z[k + 3];
                for (int r = 0; r < nr; r++) {
                    int at = (r0 + r) * rows + w.lo() + k;
                    float a0 = gramInverse[at], a1 = gramInverse[at + 1], a2 = gramInverse[at + 2];
                    float a3 = gramInverse[at + 3];
                    float[] out = row[r];
                    for (int c = 0; c < d; c++)
                        out[c] = (((out[c] + a0 * z0[c]) + a1 * z1[c]) + a2 * z2[c]) + a3 * z3[c];
                }
            }
            for (; k < z.length; k++) {
                float[] zk = z[k];
                for (int r = 0; r < nr; r++) {
                    float a = gramInverse[(r0 + r) * rows + w.lo() + k];
                    float[] out = row[r];
                    for (int c = 0; c < d; c++) out[c] += a * zk[c];
                }
            }
            for (int r = 0; r < nr; r++) System.arraycopy(row[r], 0, b, (r0 + r) * dim, dim);
        }
        return b;
    }

    /**
     * Σₙ wₙ Bₙ for weights over the N rows (zeros skipped), computed from the base and the deltas as
     * Σₙ wₙ baseₙ + Σₖ (Σₙ wₙ Â⁻¹ₙₖ) Zₖ, without B: the signal at a few points costs a few rows, not all of B, and the
     * same bits whether B has been computed or not.
     */
    public float[] combination(float[] weights) {
        return combinations(new float[][] {weights})[0];
    }

    /**
     * {@link #combination} for several weight vectors at once, each result the same bits as its own call: the base and
     * Z are streamed once per block of {@value #BLOCK} combinations instead of once per combination.
     */
    public float[][] combinations(float[][] weights) {
        return combinations(weights, baseCombinations(weights));
    }

    /**
     * The part of {@link #combinations} that reads the base alone, Σₙ wₙ baseₙ per weight vector: the same for every log
     * that shares this base ({@link #base()}, the same array), so a caller that combines the same weights after each
     * contraction may keep it until a new base is taken.
     */
    public float[][] baseCombinations(float[][] weights) {
        checkWeights(weights);
        float[] base = base();
        float[][] out = new float[weights.length][dim];
        // each slice is copied out first, so that the sums index two arrays alike, which C2 vectorises; four rows per
        // pass over an output, each added in order (a row of weight 0 adds exactly ±0 to a sum that is never −0):
        // the sums of one row at a time
        float[][] slices = new float[4][dim];
        for (int i0 = 0; i0 < weights.length; i0 += BLOCK) {
            int ni = Math.min(BLOCK, weights.length - i0);
            int n = 0;
            for (; n + 3 < rows; n += 4) {
                boolean copied = false;
                for (int i = i0; i < i0 + ni; i++) {
                    float[] wi = weights[i];
                    float a0 = wi[n], a1 = wi[n + 1], a2 = wi[n + 2], a3 = wi[n + 3];
                    if (a0 == 0f && a1 == 0f && a2 == 0f && a3 == 0f) continue;
                    if (!copied) for (int t = 0; t < 4; t++) System.arraycopy(base, (n + t) * dim, slices[t], 0, dim);
                    copied = true;
                    float[] r0 = slices[0], r1 = slices[1], r2 = slices[2], r3 = slices[3];
                    float[] o = out[i];
                    for (int c = 0; c < dim; c++) o[c] = (((o[c] + a0 * r0[c]) + a1 * r1[c]) + a2 * r2[c]) + a3 * r3[c];
                }
            }
            for (; n < rows; n++) {
                boolean copied = false;
                for (int i = i0; i < i0 + ni; i++) {
                    float a = weights[i][n];
                    if (a == 0f) continue;
                    if (!copied) System.arraycopy(base, n * dim, slices[0], 0, dim);
                    copied = true;
                    float[] o = out[i];
                    float[] row = slices[0];
                    for (int c = 0; c < dim; c++) o[c] += a * row[c];
                }
            }
        }
        return out;
    }

    /**
     * {@link #combinations} from {@code onBase}, the {@link #baseCombinations} of the same weights for this log's base
     * (not modified): adds the deltas' part, Σₖ (Σₙ wₙ Â⁻¹ₙₖ) Zₖ, to a copy (the same bits as the whole computation).
     */
    public float[][] combinations(float[][] weights, float[][] onBase) {
        checkWeights(weights);
        if (onBase.length != weights.length)
            throw new IllegalArgumentException("need one base combination per weights");
        float[][] out = new float[weights.length][];
        for (int i = 0; i < out.length; i++) out[i] = onBase[i].clone();
        if (deltaCount() == 0) return out;
        Window w = window();
        float[] gramInverse = gramInverse();
        int width = w.z().length;
        float[] gramRow = new float[width];
        for (int i0 = 0; i0 < weights.length; i0 += BLOCK) {
            int ni = Math.min(BLOCK, weights.length - i0);
            float[][] onZ = new float[ni][width];
            for (int i = 0; i < ni; i++) {
                float[] oz = onZ[i];
                for (int n = 0; n < rows; n++) {
                    float a = weights[i0 + i][n];
                    if (a == 0f) continue;
                    System.arraycopy(gramInverse, n * rows + w.lo(), gramRow, 0, width);
                    for (int k = 0; k < width; k++) oz[k] += a * gramRow[k];
                }
            }
            float[][] z = w.z();
            int k = 0;
            // four rows of Z per pass over an output, still added in order: the same bits as one at a time
            for (; k + 3 < width; k += 4) {
                float[] z0 = z[k], z1 = z[k + 1], z2 = z[k + 2], z3 = z[k + 3];
                for (int i = 0; i < ni; i++) {
                    float[] a = onZ[i];
                    float a0 = a[k], a1 = a[k + 1], a2 = a[k + 2], a3 = a[k + 3];
                    float[] o = out[i0 + i];
                    for (int c = 0; c < dim; c++) o[c] = (((o[c] + a0 * z0[c]) + a1 * z1[c]) + a2 * z2[c]) + a3 * z3[c];
                }
            }
            for (; k < width; k++) {
                float[] zk = z[k];
                for (int i = 0; i < ni; i++) {
                    float a = onZ[i][k];
                    float[] o = out[i0 + i];
                    for (int c = 0; c < dim; c++) o[c] += a * zk[c];
                }
            }
        }
        return out;
    }

    private void checkWeights(float[][] weights) {
        for (float[] w : weights)
            if (w.length != rows) throw new IllegalArgumentException("need one weight per row (" + rows + ")");
    }

    /**
     * A fingerprint of the log's values: 64 values of the base, then for each delta in turn its window and 8 values of
     * Y. A codec computes the same from its stored form ({@link #fingerprint(Values)}, {@link #fingerprint(long,
     * Delta)}) without decoding it.
     */
    public long fingerprint() {
        long h = storedFingerprint != null ? storedFingerprint : storedValuesFingerprint();
        for (CoefficientDelta d : added) h = fingerprint(h, Delta.of(d));
        return h;
    }

    private long storedValuesFingerprint() {
        Parts p = stored.parts();
        long h = fingerprint(new Values(p.base().length, i -> p.base()[i]));
        for (CoefficientDelta d : p.deltas()) h = fingerprint(h, Delta.of(d));
        return h;
    }

    /** Values of a stored array, read one at a time. */
    public record Values(int length, Sampler at) {}

    /** A stored delta: its window and its Y's values. */
    public record Delta(int lo, int hi, int length, Sampler at) {
        static Delta of(CoefficientDelta d) {
            float[] y = d.y();
            return new Delta(d.lo(), d.hi(), y.length, i -> y[i]);
        }
    }

    @FunctionalInterface
    public interface Sampler {
        float at(int i);
    }

    /** The fingerprint of a base alone (see {@link #fingerprint()}). */
    public static long fingerprint(Values base) {
        return sample(base.length(), base.at(), FINGERPRINT_SAMPLES, base.length());
    }

    /** The fingerprint of a log that had {@code before} and then this delta (see {@link #fingerprint()}). */
    public static long fingerprint(long before, Delta d) {
        long h = 31 * (31 * before + d.lo()) + d.hi();
        return 31 * h + sample(d.length(), d.at(), DELTA_SAMPLES, d.length());
    }

    private static long sample(int length, Sampler at, int samples, long seed) {
        long h = seed;
        int last = length - 1;
        for (int i = 0; i < samples; i++) {
            int k = (int) ((long) i * last / (samples - 1));
            h = 31 * h + Float.floatToRawIntBits(at.at(k));
        }
        return h;
    }

    /** Â⁻¹ of uniform retention for this log's configuration, float32 (shared, cached per configuration). */
    private float[] gramInverse() {
        float[] g = gram;
        if (g == null) {
            g = RidgeSolver.uniformGramInverseFloat(
                    Basis.of(cfg.basisSize(), cfg.widths()), cfg.contractionLength(), cfg.ridgePenalty());
            gram = g;
        }
        return g;
    }
}
