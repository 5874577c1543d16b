package io.ltm.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One key's whole memory, with value semantics (immutable; arrays are copied on the way in and out of the public
 * API). Holds the coefficients B (N×d, float32, null before the first contraction; kept as a {@link CoefficientLog}), the
 * short-term buffer (the last
 * &lt; L token vectors, exact), counters, the {@link Timeline} (memory position → token index → source record) and the
 * sticky statistics (attention mass per bin accumulated by reads since the last contraction) and, when configured, the
 * {@link TermFilter} of the long-term tokens' texts.
 *
 * <p>Token indices are absolute: token i is the i-th token ever absorbed. {@link #tokensAbsorbed()} counts the
 * tokens folded into the long-term memory plus the short-term ones; short-term token j has index
 * {@code tokensAbsorbed() - shortTermCount() + j}.
 */
public final class MemoryState {
    private final int dim;
    private final int basisSize;
    /** B as a base and deltas ({@link CoefficientLog}); null before the first contraction. */
    private final CoefficientLog coefficients;

    private final float[] stm;
    private final int stmCount;
    private final List<String> stmTokens;
    private final long tokensAbsorbed;
    private final long contractions;
    private final Timeline timeline;
    private final double[] stickyHistogram;
    private final long updatedAt;
    private final TermFilter terms;

    MemoryState(
            int dim,
            int basisSize,
            CoefficientLog coefficients,
            float[] stm,
            int stmCount,
            List<String> stmTokens,
            long tokensAbsorbed,
            long contractions,
            Timeline timeline,
            double[] stickyHistogram,
            long updatedAt,
            TermFilter terms) {
        if (coefficients != null && coefficients.size() != dim * basisSize)
            throw new IllegalArgumentException("coefficients must have N*dim = " + dim * basisSize + " floats");
        if (stm.length < stmCount * dim) throw new IllegalArgumentException("short-term vectors too short");
        if (stmTokens.size() != stmCount) throw new IllegalArgumentException("short-term tokens size != count");
        if (tokensAbsorbed < stmCount) throw new IllegalArgumentException("tokensAbsorbed < shortTermCount");
        this.dim = dim;
        this.basisSize = basisSize;
        this.coefficients = coefficients;
        // may be longer than the buffer (see withShortTermKept): only the first stmCount·dim floats are the state's
        this.stm = stm;
        this.stmCount = stmCount;
        this.stmTokens = stmTokens;
        this.tokensAbsorbed = tokensAbsorbed;
        this.contractions = contractions;
        this.timeline = timeline;
        this.stickyHistogram = stickyHistogram;
        this.updatedAt = updatedAt;
        this.terms = terms;
    }

    public static MemoryState empty(MemoryConfig cfg) {
        return new MemoryState(
                cfg.dim(),
                cfg.basisSize(),
                null,
                new float[0],
                0,
                List.of(),
                0,
                0,
                Timeline.empty(),
                null,
                0,
                cfg.termSegments() == 0
                        ? null
                        : TermFilter.empty(
                                cfg.termSegments(),
                                cfg.termSegmentBits(),
                                cfg.termHashes(),
                                cfg.termFirstSegmentTokens()));
    }

    public int dim() {
        return dim;
    }

    public int basisSize() {
        return basisSize;
    }

    public boolean hasLongTerm() {
        return coefficients != null;
    }
    /** Tokens folded into the long-term memory plus the short-term ones. */
    public long tokensAbsorbed() {
        return tokensAbsorbed;
    }
    /** Tokens folded into the long-term memory. */
    public long longTermTokens() {
        return tokensAbsorbed - stmCount;
    }

    public long contractions() {
        return contractions;
    }

    public int shortTermCount() {
        return stmCount;
    }

    public long updatedAt() {
        return updatedAt;
    }

    /** Copy of B, row-major N×d, or null before the first contraction. */
    public float[] coefficients() {
        return coefficients == null ? null : coefficients.coefficients().clone();
    }

    /** B as its base and the deltas since (shared: the log is immutable), or null before the first contraction. */
    public CoefficientLog coefficientLog() {
        return coefficients;
    }
    /** Copy of the short-term vectors, row-major count×d. */
    public float[] shortTermVectors() {
        return Arrays.copyOf(stm, stmCount * dim);
    }
    /** Short-term token strings (entries may be null). */
    public List<String> shortTermTokens() {
        return stmTokens;
    }
    /** Source record of each short-term token. */
    public List<TokenSource> shortTermSources() {
        List<TokenSource> out = new ArrayList<>(stmCount);
        long first = tokensAbsorbed - stmCount;
        for (int i = 0; i < stmCount; i++) out.add(timeline.sourceOf(first + i));
        return Collections.unmodifiableList(out);
    }

    public Timeline timeline() {
        return timeline;
    }
    /** Attention mass per bin accumulated by reads since the last contraction (D bins), or null. */
    public double[] stickyHistogram() {
        return stickyHistogram == null ? null : stickyHistogram.clone();
    }

    public MemoryState withStickyHistogram(double[] h) {
        return new MemoryState(
                dim,
                basisSize,
                coefficients,
                stm,
                stmCount,
                stmTokens,
                tokensAbsorbed,
                contractions,
                timeline,
                h == null ? null : h.clone(),
                updatedAt,
                terms);
    }

    /**
     * Adds reads' attention mass per bin to the sticky statistics the state already carries (a retention policy may
     * keep them across contractions until it uses them); h of another length replaces them.
     */
    public MemoryState plusReads(double[] h) {
        if (h == null) return this;
        if (stickyHistogram == null || stickyHistogram.length != h.length) return withStickyHistogram(h);
        double[] sum = stickyHistogram.clone();
        for (int i = 0; i < h.length; i++) sum[i] += h[i];
        return withStickyHistogram(sum);
    }

    public MemoryState withUpdatedAt(long millis) {
        return new MemoryState(
                dim,
                basisSize,
                coefficients,
                stm,
                stmCount,
                stmTokens,
                tokensAbsorbed,
                contractions,
                timeline,
                stickyHistogram,
                millis,
                terms);
    }

    /** The same memory without its short-term buffer (tokensAbsorbed drops to longTermTokens()). */
    public MemoryState withoutShortTerm() {
        if (stmCount == 0) return this;
        long lt = longTermTokens();
        return new MemoryState(
                dim,
                basisSize,
                coefficients,
                new float[0],
                0,
                List.of(),
                lt,
                contractions,
                timeline.truncateSources(lt),
                stickyHistogram,
                updatedAt,
                terms);
    }

    /**
     * Replaces the short-term buffer by count vectors (row-major) with their tokens (nullable list) and per-token
     * sources (nullable list); tokensAbsorbed becomes longTermTokens() + count. count must stay below L for
     * the state to be canonical; the engine contracts on the next absorb otherwise.
     */
    public MemoryState withShortTerm(float[] vectors, int count, List<String> tokens, List<TokenSource> sources) {
        return shortTerm(Arrays.copyOf(vectors, count * dim), count, tokens, sources);
    }

    /**
     * As {@link #withShortTerm}, keeping {@code vectors} instead of a copy: the state reads only its first count × d
     * floats, which the caller must never change (it may write beyond them). For a process's decoded copy of a
     * buffer that grows in place: a read then copies none of it.
     */
    public MemoryState withShortTermKept(float[] vectors, int count, List<String> tokens, List<TokenSource> sources) {
        return shortTerm(vectors, count, tokens, sources);
    }

    private MemoryState shortTerm(float[] vectors, int count, List<String> tokens, List<TokenSource> sources) {
        if (vectors.length < count * dim) throw new IllegalArgumentException("vectors too short");
        if (tokens != null && tokens.size() != count) throw new IllegalArgumentException("tokens.size() != count");
        if (sources != null && sources.size() != count) throw new IllegalArgumentException("sources.size() != count");
        long lt = longTermTokens();
        Timeline tl = sources == null ? timeline.truncateSources(lt) : timeline.withSources(lt, sources);
        List<String> tk = tokens == null
                ? Collections.nCopies(count, null)
                : Collections.unmodifiableList(new ArrayList<>(tokens));
        return new MemoryState(
                dim,
                basisSize,
                coefficients,
                vectors,
                count,
                tk,
                lt + count,
                contractions,
                tl,
                stickyHistogram,
                updatedAt,
                terms);
    }

    // ---------------------------------------------------------------- no copies: for codecs (the state's own
    // arrays, shared; do not modify), so that storing and loading a 0.4 MB B does not copy it once more
    public float[] coefficientsRef() {
        return coefficients == null ? null : coefficients.coefficients();
    }

    /** The short-term vectors: only the first {@link #shortTermCount()} × d floats (the array may be longer). */
    public float[] shortTermRef() {
        return stm;
    }

    public double[] stickyRef() {
        return stickyHistogram;
    }

    MemoryState with(
            CoefficientLog coefficients,
            float[] stm,
            int stmCount,
            List<String> stmTokens,
            long tokensAbsorbed,
            long contractions,
            Timeline timeline,
            double[] sticky,
            TermFilter terms) {
        return new MemoryState(
                dim,
                basisSize,
                coefficients,
                stm,
                stmCount,
                stmTokens,
                tokensAbsorbed,
                contractions,
                timeline,
                sticky,
                updatedAt,
                terms);
    }

    /** Where terms occurred ({@link TermFilter}), or null when the configuration keeps none. */
    public TermFilter terms() {
        return terms;
    }

    /** The same memory with this term filter (a codec's decoding; null: none). */
    public MemoryState withTerms(TermFilter f) {
        return with(coefficients, stm, stmCount, stmTokens, tokensAbsorbed, contractions, timeline, stickyHistogram, f);
    }

    /**
     * A state from its stored parts (a codec's decoding; add the term filter with {@link #withTerms}); the arrays are
     * taken, not copied.
     */
    public static MemoryState restore(
            int dim,
            int basisSize,
            CoefficientLog coefficients,
            float[] stm,
            int stmCount,
            List<String> stmTokens,
            long tokensAbsorbed,
            long contractions,
            Timeline timeline,
            double[] sticky,
            long updatedAt) {
        return new MemoryState(
                dim,
                basisSize,
                coefficients,
                stm,
                stmCount,
                stmTokens,
                tokensAbsorbed,
                contractions,
                timeline,
                sticky,
                updatedAt,
                null);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MemoryState s)) return false;
        return dim == s.dim
                && basisSize == s.basisSize
                && stmCount == s.stmCount
                && tokensAbsorbed == s.tokensAbsorbed
                && contractions == s.contractions
                && updatedAt == s.updatedAt
                && Arrays.equals(coefficientsRef(), s.coefficientsRef())
                && Arrays.equals(stm, 0, stmCount * dim, s.stm, 0, stmCount * dim)
                && stmTokens.equals(s.stmTokens)
                && timeline.equals(s.timeline)
                && Arrays.equals(stickyHistogram, s.stickyHistogram)
                && Objects.equals(terms, s.terms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                dim,
                basisSize,
                stmCount,
                tokensAbsorbed,
                contractions,
                Arrays.hashCode(coefficientsRef()),
                shortTermHash(),
                timeline);
    }

    private int shortTermHash() {
        int h = 1;
        for (int i = 0; i < stmCount * dim; i++) h = 31 * h + Float.floatToIntBits(stm[i]);
        return h;
    }

    @Override
    public String toString() {
        return "MemoryState{N=" + basisSize + ", dim=" + dim + ", longTerm=" + hasLongTerm() + ", tokens="
                + tokensAbsorbed + ", shortTerm=" + stmCount + ", contractions=" + contractions + ", " + timeline + "}";
    }
}
