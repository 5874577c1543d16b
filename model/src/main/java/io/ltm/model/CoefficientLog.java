package io.ltm.model;

import io.ltm.model.internal.Basis;
import io.ltm.model.internal.RidgeSolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The coefficients B as a base and the {@link CoefficientDelta}s of the contractions since it was taken:
 * B = base + Â⁻¹[:, W) · Σⱼ Yⱼ, where W is the union of the deltas' windows. A memory keeps a contraction as its delta
 * (about a tenth of B) and takes a new base only every {@link MemoryConfig#coefficientDeltas()} contractions or when a
 * contraction rewrites all of B (the first one, a doubling of uniform retention, every contraction of recency
 * retention), so that storing a memory writes B rarely.
 *
 * <p>B is computed here, in Java float arithmetic, in one fixed order (the Yⱼ summed in order into Z, then
 * base + Â⁻¹[:, W)·Z row by row): every JVM and device computes the same bits, so a memory node, an attention worker's
 * replica and a restore from the changelogs agree exactly. It is computed once per log and kept.
 */
public final class CoefficientLog {
    private static final int FINGERPRINT_SAMPLES = 64;
    private static final int DELTA_SAMPLES = 8;
    private static final Map<List<Object>, float[]> GRAM_INVERSES = new ConcurrentHashMap<>();

    private final int rows;
    private final int dim;
    private final float[] base;
    private final List<CoefficientDelta> deltas;
    /** Â⁻¹ as float32 [N, N]; null when there are no deltas to apply. */
    private final float[] gramInverse;

    private volatile float[] coefficients;

    private CoefficientLog(int rows, int dim, float[] base, List<CoefficientDelta> deltas, float[] gramInverse) {
        if (base.length != rows * dim) throw new IllegalArgumentException("base must have N*d = " + rows * dim);
        for (CoefficientDelta d : deltas) {
            if (d.hi() > rows || d.dim() != dim)
                throw new IllegalArgumentException("delta [" + d.lo() + ", " + d.hi() + ") x " + d.dim()
                        + " does not fit B of " + rows + " x " + dim);
        }
        this.rows = rows;
        this.dim = dim;
        this.base = base;
        this.deltas = deltas;
        this.gramInverse = gramInverse;
        if (deltas.isEmpty()) this.coefficients = base;
    }

    /** B itself, as the base of a log without deltas (the array is taken, not copied). */
    public static CoefficientLog of(float[] b, MemoryConfig cfg) {
        return new CoefficientLog(cfg.basisSize(), cfg.dim(), b, List.of(), null);
    }

    /** A base and its deltas in order (a codec's decoding; the arrays are taken, not copied). */
    public static CoefficientLog of(float[] base, List<CoefficientDelta> deltas, MemoryConfig cfg) {
        return new CoefficientLog(
                cfg.basisSize(), cfg.dim(), base, List.copyOf(deltas), deltas.isEmpty() ? null : gramInverse(cfg));
    }

    /** The log with more deltas after these. */
    public CoefficientLog plus(List<CoefficientDelta> more, MemoryConfig cfg) {
        if (more.isEmpty()) return this;
        List<CoefficientDelta> all = new ArrayList<>(deltas.size() + more.size());
        all.addAll(deltas);
        all.addAll(more);
        return new CoefficientLog(
                rows,
                dim,
                base,
                Collections.unmodifiableList(all),
                gramInverse != null ? gramInverse : gramInverse(cfg));
    }

    /** B = base + Â⁻¹[:, W)·Z (shared, do not modify). */
    public float[] coefficients() {
        float[] b = coefficients;
        if (b == null) {
            b = apply();
            coefficients = b;
        }
        return b;
    }

    public float[] base() {
        return base;
    }

    public List<CoefficientDelta> deltas() {
        return deltas;
    }

    private float[] apply() {
        int lo = rows, hi = 0;
        for (CoefficientDelta d : deltas) {
            lo = Math.min(lo, d.lo());
            hi = Math.max(hi, d.hi());
        }
        // Z as one array per row, and each row of B summed in a row array of its own: loops over arrays indexed
        // alike, which JDK 17's C2 vectorises (with a row offset into a flat array it does not)
        float[][] z = new float[hi - lo][dim];
        for (CoefficientDelta d : deltas) {
            float[] y = d.y();
            for (int k = d.lo(); k < d.hi(); k++) {
                float[] zk = z[k - lo];
                int at = (k - d.lo()) * dim;
                for (int c = 0; c < dim; c++) zk[c] += y[at + c];
            }
        }
        float[] b = new float[base.length];
        float[] row = new float[dim];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(base, r * dim, row, 0, dim);
            int g = r * rows + lo;
            for (int k = 0; k < z.length; k++) {
                float a = gramInverse[g + k];
                float[] zk = z[k];
                for (int c = 0; c < dim; c++) row[c] += a * zk[c];
            }
            System.arraycopy(row, 0, b, r * dim, dim);
        }
        return b;
    }

    /**
     * A fingerprint of the log's stored values: 64 values of the base and, for each delta, its window and 8 values
     * of Y. A codec computes the same from its stored form ({@link #fingerprint(Values, List)}) without decoding it.
     */
    public long fingerprint() {
        List<Delta> ds = new ArrayList<>(deltas.size());
        for (CoefficientDelta d : deltas) ds.add(new Delta(d.lo(), d.hi(), d.y().length, i -> d.y()[i]));
        return fingerprint(new Values(base.length, i -> base[i]), ds);
    }

    /** Values of a stored array, read one at a time. */
    public record Values(int length, Sampler at) {}

    /** A stored delta: its window and its Y's values. */
    public record Delta(int lo, int hi, int length, Sampler at) {}

    @FunctionalInterface
    public interface Sampler {
        float at(int i);
    }

    /** The fingerprint of a log given as its stored values (see {@link #fingerprint()}). */
    public static long fingerprint(Values base, List<Delta> deltas) {
        long h = sample(base.length(), base.at(), FINGERPRINT_SAMPLES, base.length());
        h = 31 * h + deltas.size();
        for (Delta d : deltas) {
            h = 31 * (31 * h + d.lo()) + d.hi();
            h = 31 * h + sample(d.length(), d.at(), DELTA_SAMPLES, d.length());
        }
        return h;
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

    /** Â⁻¹ of the configuration's uniform retention, float32, computed once per configuration. */
    static float[] gramInverse(MemoryConfig cfg) {
        List<Object> key = List.of(
                cfg.basisSize(), java.util.Arrays.toString(cfg.widths()), cfg.contractionLength(), cfg.ridgePenalty());
        return GRAM_INVERSES.computeIfAbsent(key, k -> {
            double[] inv = RidgeSolver.uniformGramInverse(
                    Basis.of(cfg.basisSize(), cfg.widths()), cfg.contractionLength(), cfg.ridgePenalty());
            float[] f = new float[inv.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) inv[i];
            return f;
        });
    }
}
