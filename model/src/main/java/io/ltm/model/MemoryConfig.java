package io.ltm.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * Immutable configuration of one long-term memory. Built with {@link #builder()}, which validates.
 * The basis size N is rounded up to a multiple of the number of widths, as the official code does.
 */
public final class MemoryConfig {
    private final int dim;
    private final int basisSize;
    private final double[] widths;
    private final int contractionLength;
    private final int samples;
    private final double tau;
    private final double ridgePenalty;
    private final int stickyBins;
    private final boolean sticky;
    private final RetentionPolicy retention;
    private final double sigma2Min;
    private final CoefficientPrecision precision;
    private final double temperature;
    private final long seed;
    private final int maxTimelineKnots;
    private final int maxSourceSegments;
    private final boolean cosineKeys;
    private final int termSegments;
    private final int termSegmentBits;
    private final int termHashes;
    private final int coefficientDeltas;
    private final int firstEpoch;

    private MemoryConfig(Builder b) {
        this.dim = b.dim;
        int s = b.widths.length;
        this.basisSize = b.basisSize % s == 0 ? b.basisSize : b.basisSize + s - b.basisSize % s;
        this.widths = b.widths.clone();
        this.contractionLength = b.contractionLength;
        this.samples = b.samples;
        this.tau = b.tau;
        this.ridgePenalty = b.ridgePenalty;
        this.stickyBins = b.stickyBins;
        this.sticky = b.sticky;
        this.retention = b.retention;
        this.sigma2Min = b.sigma2Min;
        this.precision = b.precision;
        this.temperature = b.temperature;
        this.seed = b.seed;
        this.maxTimelineKnots = b.maxTimelineKnots;
        this.maxSourceSegments = b.maxSourceSegments;
        this.cosineKeys = b.cosineKeys;
        this.termSegments = b.termSegments;
        this.termSegmentBits = b.termSegmentBits;
        this.termHashes = b.termHashes;
        this.coefficientDeltas = b.coefficientDeltas;
        this.firstEpoch = b.firstEpoch;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * dim 384, N 512, widths {0.005,0.01}, L 512, M 512, τ 0.5, λ 0.5, D 128, sticky, UNIFORM, σ²min 1e-4, FLOAT16,
     * cosine keys, T 0.05, seed 0, a term filter of 256 segments of 8,192 bits with 4 hashes (256 KiB), B kept as a
     * base and up to 16 contractions' deltas, a first epoch of eight contractions.
     */
    public static MemoryConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        return builder()
                .dim(dim)
                .basisSize(basisSize)
                .widths(widths)
                .contractionLength(contractionLength)
                .samples(samples)
                .tau(tau)
                .ridgePenalty(ridgePenalty)
                .stickyBins(stickyBins)
                .sticky(sticky)
                .retention(retention)
                .sigma2Min(sigma2Min)
                .precision(precision)
                .temperature(temperature)
                .seed(seed)
                .maxTimelineKnots(maxTimelineKnots)
                .maxSourceSegments(maxSourceSegments)
                .cosineKeys(cosineKeys)
                .termSegments(termSegments)
                .termSegmentBits(termSegmentBits)
                .termHashes(termHashes)
                .coefficientDeltas(coefficientDeltas)
                .firstEpoch(firstEpoch);
    }

    /** d: dimension of the token vectors. */
    public int dim() {
        return dim;
    }
    /** N: number of basis functions (a multiple of widths().length). */
    public int basisSize() {
        return basisSize;
    }
    /** Widths σ_s of the Gaussian RBFs; every centre carries every width. */
    public double[] widths() {
        return widths.clone();
    }
    /** L: tokens per contraction (short-term capacity is L-1). */
    public int contractionLength() {
        return contractionLength;
    }
    /** M: samples of the old signal per contraction. */
    public int samples() {
        return samples;
    }
    /** τ: share of [0,1] given to the old signal at a contraction (RECENCY). */
    public double tau() {
        return tau;
    }
    /** λ: ridge penalty. */
    public double ridgePenalty() {
        return ridgePenalty;
    }
    /** D: bins of the sticky histogram. */
    public int stickyBins() {
        return stickyBins;
    }

    public boolean sticky() {
        return sticky;
    }

    public RetentionPolicy retention() {
        return retention;
    }
    /** Lower clamp of the attention variance σ². */
    public double sigma2Min() {
        return sigma2Min;
    }

    public CoefficientPrecision precision() {
        return precision;
    }
    /**
     * Softmax temperature T of the zero-shot head (and of the short-term softmax and the long/short-term mix). With
     * {@link #cosineKeys()} (default): a = softmax(cos(X̄(μ_n), q)/T), cosines in [-1, 1]; the default 0.05 is a
     * calibrated default chosen with {@code io.ltm.model.tools.RetrievalBench} (MiniLM and hashing vectors, streams of
     * 2k-50k tokens; 0.02-0.1 are within a few points, 0.2 is clearly worse, see docs/notes-retrieval.md). Without cosine keys:
     * a = softmax(B q/(√d·T)) on raw coefficients, whose scale is ≈ 1/500 of the token vectors at N = 512, so T must
     * be ≈ 1e-5..1e-4 there; T = 1 gives an almost uniform distribution.
     */
    public double temperature() {
        return temperature;
    }
    /** Seed of the sticky sampler (combined with the contraction counter, so a replay draws the same positions). */
    public long seed() {
        return seed;
    }
    /** Upper bound on timeline knots kept in the state. */
    public int maxTimelineKnots() {
        return maxTimelineKnots;
    }
    /** Upper bound on source segments kept in the state. */
    public int maxSourceSegments() {
        return maxSourceSegments;
    }

    /**
     * Zero-shot scoring. true (default since the retrieval evaluation, docs/notes-retrieval.md): see below. false (the
     * issue's original definition): a = softmax(B q/(√d·T)) with the raw coefficient
     * rows as keys; coefficients carry the memory's scale (≈ X/Σψ) and are larger where old content was compressed or
     * where the fit overshoots, so regions of different age do not compete on equal terms, and T must be small
     * (≈ 1e-3 for unit-norm vectors) to get a peaked profile; worse, B has large ill-determined components (pairs of
     * widths at one centre cancelling each other) that do not show in X̄ but dominate raw rows. true:
     * a = softmax(cos(X̄(μ_n), q)/T), the key of basis n being the reconstructed signal at its centre: scale-free, so
     * every stretch that resembles the query counts equally and its mass grows with its share of [0,1]. Costs one
     * extra N×N by N×d matmul per read (≈0.1 GFLOP at N=512, d=384). Also switches the short-term softmax to
     * softmax(cos(x_i, q)/T), so that both memories use one temperature scale.
     */
    public boolean cosineKeys() {
        return cosineKeys;
    }

    /**
     * Segments of the {@link TermFilter} kept beside the continuous memory (0: none). Each segment is one Bloom filter
     * of the terms of an equal share of the stream (a power of two of tokens); pairs merge when all are in use.
     */
    public int termSegments() {
        return termSegments;
    }
    /**
     * Tokens of the term filter's first segments: L/8 (64 at the defaults). Finer segments would point closer at
     * the start of a stream, but every doubling of the segments rewrites the filter's store records, and a short
     * stream doubles often; from 256 × 64 = 16,384 tokens on the segments are as fine as the bytes allow anyway.
     */
    public int termFirstSegmentTokens() {
        return Math.max(1, contractionLength / 8);
    }
    /** Bits of each term-filter segment (a multiple of 64). */
    public int termSegmentBits() {
        return termSegmentBits;
    }
    /** Hash functions of the term filter (bits set per term). */
    public int termHashes() {
        return termHashes;
    }

    /**
     * Contractions kept as {@link CoefficientDelta}s after B's last base ({@link CoefficientLog}) before a new base
     * is taken; 0 takes one at every contraction. Only uniform retention's contractions are deltas (the others
     * rewrite all of B). More deltas write B less often but make each computation of B from its log longer.
     */
    public int coefficientDeltas() {
        return coefficientDeltas;
    }

    /**
     * The capacity of a memory's first epoch under uniform retention, in contractions (L tokens each; a power of two):
     * its first contractions fill [0, firstEpoch·L) of the axis and add deltas to B instead of rewriting it, and the
     * first doubling comes when the epoch is full. 1: the first contraction fills the whole axis, and B is written
     * whole at the doublings after 1, 2 and 4 contractions. The default 8 writes its first eight contractions as deltas
     * of an eighth of the axis each, at the price of a coarser memory until the fifth: its tokens are spread over the
     * basis as a first epoch of one spreads them from the fifth contraction on (8·L/N tokens per basis function). A
     * memory keeps the epochs it began with when this changes.
     */
    public int firstEpoch() {
        return firstEpoch;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MemoryConfig c)) return false;
        if (cosineKeys != c.cosineKeys) return false;
        if (termSegments != c.termSegments || termSegmentBits != c.termSegmentBits || termHashes != c.termHashes)
            return false;
        if (coefficientDeltas != c.coefficientDeltas || firstEpoch != c.firstEpoch) return false;
        return dim == c.dim
                && basisSize == c.basisSize
                && Arrays.equals(widths, c.widths)
                && contractionLength == c.contractionLength
                && samples == c.samples
                && tau == c.tau
                && ridgePenalty == c.ridgePenalty
                && stickyBins == c.stickyBins
                && sticky == c.sticky
                && retention == c.retention
                && sigma2Min == c.sigma2Min
                && precision == c.precision
                && temperature == c.temperature
                && seed == c.seed
                && maxTimelineKnots == c.maxTimelineKnots
                && maxSourceSegments == c.maxSourceSegments;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                dim,
                basisSize,
                Arrays.hashCode(widths),
                contractionLength,
                samples,
                tau,
                ridgePenalty,
                stickyBins,
                sticky,
                retention,
                sigma2Min,
                precision,
                temperature,
                seed,
                termSegments,
                termSegmentBits,
                termHashes,
                coefficientDeltas,
                firstEpoch);
    }

    @Override
    public String toString() {
        return "MemoryConfig{dim=" + dim + ", N=" + basisSize + ", widths=" + Arrays.toString(widths)
                + ", L=" + contractionLength + ", M=" + samples + ", tau=" + tau + ", lambda=" + ridgePenalty
                + ", D=" + stickyBins + ", sticky=" + sticky + ", retention=" + retention
                + ", sigma2Min=" + sigma2Min + ", precision=" + precision + ", temperature=" + temperature
                + ", seed=" + seed + ", maxTimelineKnots=" + maxTimelineKnots
                + ", maxSourceSegments=" + maxSourceSegments + ", cosineKeys=" + cosineKeys + ", termSegments="
                + termSegments + ", termSegmentBits=" + termSegmentBits + ", termHashes=" + termHashes
                + ", coefficientDeltas=" + coefficientDeltas + ", firstEpoch=" + firstEpoch + "}";
    }

    public static final class Builder {
        private int dim = 384;
        private int basisSize = 512;
        private double[] widths = {0.005, 0.01};
        private int contractionLength = 512;
        private int samples = 512;
        private double tau = 0.5;
        private double ridgePenalty = 0.5;
        private int stickyBins = 128;
        private boolean sticky = true;
        private RetentionPolicy retention = RetentionPolicy.UNIFORM;
        private double sigma2Min = 1e-4;
        private CoefficientPrecision precision = CoefficientPrecision.FLOAT16;
        private double temperature = 0.05;
        private long seed = 0;
        private int maxTimelineKnots = 256;
        private int maxSourceSegments = 1024;
        private boolean cosineKeys = true;
        private int termSegments = 256;
        private int termSegmentBits = 8192;
        private int termHashes = 4;
        private int coefficientDeltas = 16;
        private int firstEpoch = 8;

        private Builder() {}

        public Builder firstEpoch(int v) {
            firstEpoch = v;
            return this;
        }

        public Builder coefficientDeltas(int v) {
            coefficientDeltas = v;
            return this;
        }

        public Builder termSegments(int v) {
            termSegments = v;
            return this;
        }

        public Builder termSegmentBits(int v) {
            termSegmentBits = v;
            return this;
        }

        public Builder termHashes(int v) {
            termHashes = v;
            return this;
        }

        public Builder cosineKeys(boolean v) {
            cosineKeys = v;
            return this;
        }

        public Builder dim(int v) {
            dim = v;
            return this;
        }

        public Builder basisSize(int v) {
            basisSize = v;
            return this;
        }

        public Builder widths(double... v) {
            widths = v == null ? null : v.clone();
            return this;
        }

        public Builder contractionLength(int v) {
            contractionLength = v;
            return this;
        }

        public Builder samples(int v) {
            samples = v;
            return this;
        }

        public Builder tau(double v) {
            tau = v;
            return this;
        }

        public Builder ridgePenalty(double v) {
            ridgePenalty = v;
            return this;
        }

        public Builder stickyBins(int v) {
            stickyBins = v;
            return this;
        }

        public Builder sticky(boolean v) {
            sticky = v;
            return this;
        }

        public Builder retention(RetentionPolicy v) {
            retention = v;
            return this;
        }

        public Builder sigma2Min(double v) {
            sigma2Min = v;
            return this;
        }

        public Builder precision(CoefficientPrecision v) {
            precision = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder maxTimelineKnots(int v) {
            maxTimelineKnots = v;
            return this;
        }

        public Builder maxSourceSegments(int v) {
            maxSourceSegments = v;
            return this;
        }

        public MemoryConfig build() {
            req(dim >= 1, "dim", "dim must be >= 1");
            req(widths != null && widths.length >= 1, "widths", "at least one width");
            for (double w : widths) req(w > 0 && Double.isFinite(w), "widths", "widths must be positive");
            req(basisSize >= widths.length, "basisSize", "basisSize must be >= number of widths");
            req(basisSize / widths.length >= 2 || basisSize == widths.length, "basisSize", "need at least 2 centres");
            req(contractionLength >= 2, "contractionLength", "contractionLength (L) must be >= 2");
            req(samples >= 1, "samples", "samples (M) must be >= 1");
            req(tau > 0 && tau < 1, "tau", "tau must be in (0,1)");
            req(ridgePenalty > 0, "ridgePenalty", "ridgePenalty must be > 0");
            req(stickyBins >= 1, "stickyBins", "stickyBins must be >= 1");
            req(retention != null, "retention", "retention is null");
            req(sigma2Min > 0, "sigma2Min", "sigma2Min must be > 0");
            req(precision != null, "precision", "precision is null");
            req(temperature > 0 && Double.isFinite(temperature), "temperature", "temperature must be > 0");
            req(maxTimelineKnots >= 4, "maxTimelineKnots", "maxTimelineKnots must be >= 4");
            req(maxSourceSegments >= 2, "maxSourceSegments", "maxSourceSegments must be >= 2");
            req(
                    termSegments == 0 || (termSegments >= 2 && termSegments % 2 == 0),
                    "termSegments",
                    "termSegments must be 0 (no term filter) or an even number >= 2");
            req(
                    termSegmentBits >= 64 && termSegmentBits % 64 == 0,
                    "termSegmentBits",
                    "termSegmentBits must be a positive multiple of 64");
            req(termHashes >= 1 && termHashes <= 16, "termHashes", "termHashes must be in [1, 16]");
            req(coefficientDeltas >= 0, "coefficientDeltas", "coefficientDeltas must be >= 0");
            req(
                    firstEpoch >= 1 && Integer.bitCount(firstEpoch) == 1,
                    "firstEpoch",
                    "firstEpoch must be a power of two (1, 2, 4, ...)");
            return new MemoryConfig(this);
        }

        private static void req(boolean ok, String setting, String msg) {
            if (!ok) throw new InvalidSetting(setting, msg);
        }
    }

    /**
     * A rejected setting, named as its builder method is, so that a configuration layer on top (the node's LtmConfig)
     * can name its own key for it: the rules live here once.
     */
    public static final class InvalidSetting extends IllegalArgumentException {
        private final String setting;

        InvalidSetting(String setting, String message) {
            super(message);
            this.setting = setting;
        }

        /** The builder method of the rejected setting, e.g. {@code "tau"}. */
        public String setting() {
            return setting;
        }
    }
}
