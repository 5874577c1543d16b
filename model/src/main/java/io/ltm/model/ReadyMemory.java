package io.ltm.model;

/**
 * Everything a zero-shot read needs that depends only on one version of a memory (its coefficients B), computed
 * once per version instead of once per query: the keys of the basis functions, transposed [d][C] (the scores of a read
 * are vectorised axpys over these rows; C dot products over row-major keys are slower, from the L2 and the L3 alike, as the
 * JIT does not vectorise a float reduction), and B itself as float32: the very array of the state it was built from,
 * so that a state decoded again for the same version can share it (the codec in {@code topology} takes it) instead of
 * decoding it. With cosine keys the C = N/S keys are
 * the reconstructed signal X̄ at the basis centres, normalised to unit length (every width at a centre shares its
 * key); with raw keys they are the N rows of B.
 *
 * <p>Immutable and safe to share between threads. Built by {@link LongTermMemory#ready(MemoryState)}; found again by
 * {@link ReadyMemoryCache}. A ready memory belongs to the version of the state it was built from:
 * {@link #isFor(MemoryState)} (and {@link #isFor(StoredVersion)} for a stored state not yet decoded)
 * compares the contraction count, the long-term token count, the time of the last contraction and the fingerprint of
 * B's {@link CoefficientLog}.
 */
public final class ReadyMemory {

    private final MemoryConfig config;
    private final CoefficientLog log;
    private final float[] coefficients;
    private final float[][] keysT;
    private final int keys;
    private final long contractions;
    private final long longTermTokens;
    private final long updatedAt;
    private final long fingerprint;

    ReadyMemory(MemoryConfig config, MemoryState state, float[][] keysT) {
        if (!state.hasLongTerm())
            throw new IllegalArgumentException("a memory without a long-term part has nothing to read");
        if (keysT.length != config.dim()) throw new IllegalArgumentException("transposed keys must be [dim][C]");
        this.config = config;
        this.log = state.coefficientLog();
        this.coefficients = log.coefficients();
        this.keysT = keysT;
        this.keys = keysT[0].length;
        this.contractions = state.contractions();
        this.longTermTokens = state.longTermTokens();
        this.updatedAt = state.updatedAt();
        this.fingerprint = log.fingerprint();
    }

    /** True when {@code state} is the version of the memory this was built from (and has the same shape). */
    public boolean isFor(MemoryState state) {
        CoefficientLog other = state.coefficientLog();
        if (other == log) return true; // the very log it was built from: it is immutable
        return other != null
                && other.size() == coefficients.length
                && state.contractions() == contractions
                && state.longTermTokens() == longTermTokens
                && state.updatedAt() == updatedAt
                && other.fingerprint() == fingerprint;
    }

    /** True when the stored state is the version this was built from (counters and the log's fingerprint). */
    public boolean isFor(StoredVersion stored) {
        return stored.rows() == config.basisSize()
                && stored.dim() == config.dim()
                && stored.contractions() == contractions
                && stored.longTermTokens() == longTermTokens
                && stored.updatedAt() == updatedAt
                && stored.fingerprint() == fingerprint;
    }

    public MemoryConfig config() {
        return config;
    }
    /** Number of keys C (N/S centres with cosine keys, else N). */
    public int keyCount() {
        return keys;
    }
    /** Contraction count of the version this was built from. */
    public long contractions() {
        return contractions;
    }
    /** Bytes of the arrays held, which are those a read touches at most: the keys and B, float32 (no headers). */
    public long bytes() {
        return 4L * ((long) keys * config.dim() + coefficients.length);
    }

    /** B, row-major [N, d]: the state's own array; shared, do not modify. */
    public float[] coefficientsRef() {
        return coefficients;
    }

    /** The log B was computed from (a codec decoding the same version takes it instead of decoding B again). */
    public CoefficientLog coefficientLog() {
        return log;
    }
    /** The keys, transposed: [d][C]; shared, do not modify. */
    public float[][] keysTransposedRef() {
        return keysT;
    }
}
