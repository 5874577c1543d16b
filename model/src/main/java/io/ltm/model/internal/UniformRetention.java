package io.ltm.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.ltm.model.CoefficientDelta;
import io.ltm.model.MemoryConfig;
import io.ltm.model.Timeline;

/**
 * Every token keeps an equal share of [0,1] at any stream length, and each token's content is resampled only
 * log₂(n/L) times: ridge statistics accumulated in place, contraction on doubling.
 *
 * <p>The stream fills an epoch of capacity c = L·2^k tokens; token i sits at t = (i + ½)/c. B is the ridge fit
 * B = Â⁻¹ S with S = (L/c) Σ_i ψ(t_i) x_iᵀ and Â = L ∫₀¹ ψψᵀ dt + λI: the Gram of a uniform density of L samples per unit
 * of t over the whole axis, so the not yet filled tail of the epoch is fitted as zero, as the official code pads
 * its positions with zero targets. Â does not depend on the stream, so a contraction adds its L tokens with one
 * product, B ← B + Â⁻¹ (L/c) Ψ(t)ᵀ X, restricted to the basis functions the chunk touches; nothing old is
 * resampled. When an epoch is full the capacity doubles: the old signal is read at M points s_j and refit at
 * u_j = (j + ½)/(2M) in [0, ½] (B ← Â⁻¹ (L/2M) Ψ(u)ᵀ Ψ(s) B, its constant operators taken once:
 * {@link RidgeSolver#doubling}). Without reads s_j = (j + ½)/M, a plain halving of t;
 * with sticky memories the s_j are the quantiles of an even mix of the uniform density and the reads' histogram, so
 * where reads attended gets more of [0, ½] (and of the basis) — deterministic, so replays are identical.
 * The timeline is exact: t ↦ token is linear within an epoch and composed with each doubling's warp.
 * The sticky statistics are kept across contractions (the positions they refer to do not move) and used up at the
 * next doubling.
 */
final class UniformRetention implements Retention {
    /** Share of the doubling warp that follows the reads' histogram (the rest stays uniform). */
    private static final double STICKY_SHARE = 0.5;

    private final MemoryConfig cfg;
    private final DeviceMath math;
    private final Basis basis;
    private final int centres;
    private final int widthsPerCentre;
    private final double reach;
    private final double flushedBeyond;

    UniformRetention(MemoryConfig cfg, DeviceMath math) {
        this.cfg = cfg;
        this.math = math;
        this.basis = math.basis();
        this.widthsPerCentre = basis.widths().length;
        this.centres = basis.size() / widthsPerCentre;
        double maxWidth = 0;
        for (double w : basis.widths()) maxWidth = Math.max(maxWidth, w);
        // ψ_n(t) below the stored format's unit roundoff of its peak is left out of a chunk's product: on a long stream
        // a delta then has about 40 of B's rows at FLOAT16, about 60 at FLOAT32
        this.reach = Math.sqrt(2 * Math.log(1 / cfg.precision().unitRoundoff())) * maxWidth;
        // |t − μ_n| beyond which ψ_n(t) < e^-1·FLUSH for every n, so that it rounds below FLUSH in float32
        double far = 0;
        for (double w : basis.widths()) {
            double peak = 1 / (w * Basis.SQRT2PI);
            far = Math.max(far, w * Math.sqrt(2 * Math.log(peak / DeviceMath.FLUSH) + 2));
        }
        this.flushedBeyond = far;
    }

    /**
     * Capacity of the epoch that receives tokens [first, first + L) of a memory whose timeline is {@code tl}: the first
     * epoch's ({@link MemoryConfig#firstEpoch}·L) for a new memory, else the memory's own epoch (as its timeline
     * says, so a memory keeps the epochs it began with), doubled when full.
     */
    long capacity(long first, Timeline tl) {
        int l = cfg.contractionLength();
        if (first == 0) return (long) l * cfg.firstEpoch();
        long c = tl.epochCapacity(l);
        while (c < first + l) c <<= 1;
        return c;
    }

    /** True when the epoch holding the memory's first tokens [0, first) is full, so absorbing more doubles it. */
    boolean full(long first, Timeline tl) {
        return first > 0 && first == tl.epochCapacity(cfg.contractionLength());
    }

    /**
     * Only a doubling reads B, and a new memory's first contraction computes it whole when its first epoch is one
     * contraction; the others add a delta ({@link CoefficientDelta}).
     */
    @Override
    public boolean readsCoefficients(long first, Timeline tl) {
        return full(first, tl);
    }

    @Override
    public Step contract(NDArray b, NDArray x, long first, Timeline tl, double[] sticky, long contraction) {
        int l = cfg.contractionLength();
        if (first % l != 0)
            throw new IllegalStateException("long-term tokens " + first + " not a multiple of L = " + l);
        NDManager m = x.getManager();
        int nb = basis.size();
        long d = x.getShape().get(1);
        // a new memory whose first epoch is one contraction: B computed whole, as at a doubling
        boolean whole = first == 0 && cfg.firstEpoch() == 1;
        boolean doubling = full(first, tl);
        if (whole) {
            b = m.zeros(new Shape(nb, d), DataType.FLOAT32);
        } else if (doubling) {
            double[] p = cfg.sticky() ? StickySampler.normalise(sticky) : null;
            double[] s = samplePositions(p);
            double[] u = new double[s.length];
            for (int j = 0; j < u.length; j++) u[j] = (j + 0.5) / (2.0 * s.length);
            if (p == null) {
                b = DeviceMath.scoped(math.midpointDoubling().matMul(b), x);
            } else {
                NDArray old = m.create(psi(s, 0, nb), new Shape(s.length, nb)).matMul(b); // X̄(s_j), [M, d]
                b = DeviceMath.scoped(math.doublingRefit().matMul(old), x);
            }
            tl = tl.afterWarp(s, u, cfg.maxTimelineKnots());
            sticky = null;
        }
        long cap = capacity(first, tl);
        double t0 = (first + 0.5) / cap, t1 = (first + l - 0.5) / cap;
        int lo = Math.max(0, (int) Math.ceil((t0 - reach) * (centres - 1))) * widthsPerCentre;
        int hi = Math.min(centres, (int) Math.floor((t1 + reach) * (centres - 1)) + 1) * widthsPerCentre;
        double[] t = new double[l];
        for (int i = 0; i < l; i++) t[i] = (first + i + 0.5) / cap;
        NDArray y = m.create(psi(t, lo, hi), new Shape(l, hi - lo))
                .transpose()
                .matMul(x)
                .muli((double) l / cap); // [w, d]
        Timeline next = tl.afterAppend(first, l, cap, cfg.maxTimelineKnots());
        if (!whole && !doubling) {
            // B + Â⁻¹[:, lo, hi)·Y is left to CoefficientLog, which computes it the same on every device
            return new Step(null, new CoefficientDelta(lo, hi, y.toFloatArray()), next, sticky);
        }
        NDArray cols = DeviceMath.scoped(math.uniformGramInverse().get(":, " + lo + ":" + hi), x); // [N, w]
        return new Step(b.add(cols.matMul(y)), null, next, sticky);
    }

    /**
     * Ψ(t) over basis functions [lo, hi), row-major [t.length, hi − lo] float32, values below {@link DeviceMath#FLUSH}
     * set to 0. Only the centres near each t are computed: the others would be flushed anyway (four fifths of a young
     * memory's chunk at the default widths), and elementwise device ops over all [M, N] cost a doubling with sticky
     * reads more than its two products.
     */
    private float[] psi(double[] t, int lo, int hi) {
        int w = hi - lo;
        float[] psi = new float[t.length * w];
        for (int i = 0; i < t.length; i++) {
            int from = Math.max(lo, (int) Math.floor((t[i] - flushedBeyond) * (centres - 1)) * widthsPerCentre);
            int to = Math.min(hi, ((int) Math.ceil((t[i] + flushedBeyond) * (centres - 1)) + 1) * widthsPerCentre);
            for (int k = from; k < to; k++) psi[i * w + k - lo] = (float) basis.psi(k, t[i]);
        }
        return DeviceMath.flushTiny(psi);
    }

    /**
     * Where the old signal is read at a doubling: the M midpoints of [0,1], or with a read histogram p the
     * quantiles (j + ½)/M of the density (1 − STICKY_SHARE) + STICKY_SHARE·D·p (piecewise constant on D bins).
     */
    double[] samplePositions(double[] p) {
        int mm = cfg.samples();
        double[] s = new double[mm];
        if (p == null) {
            for (int j = 0; j < mm; j++) s[j] = (j + 0.5) / mm;
            return s;
        }
        int bins = p.length;
        double[] cdf = new double[bins + 1];
        for (int k = 0; k < bins; k++) cdf[k + 1] = cdf[k] + (1 - STICKY_SHARE) / bins + STICKY_SHARE * p[k];
        int k = 0;
        for (int j = 0; j < mm; j++) {
            double q = (j + 0.5) / mm * cdf[bins];
            while (k < bins - 1 && cdf[k + 1] < q) k++;
            double w = cdf[k + 1] - cdf[k];
            s[j] = (k + (w > 0 ? (q - cdf[k]) / w : 0)) / bins;
        }
        return s;
    }
}
