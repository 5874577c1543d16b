package io.ltm.model;

/**
 * A stored memory's version, as {@link ReadyMemory#isFor(StoredVersion)} compares it without decoding the stored B:
 * B's shape (0 × 0 when there is none), the counters, and the {@link CoefficientLog#fingerprint(CoefficientLog.Values,
 * java.util.List)} of the stored base and deltas. A codec builds it from its own record, so that the model knows no
 * wire format.
 */
public record StoredVersion(
        int rows, int dim, long contractions, long longTermTokens, long updatedAt, long fingerprint) {}
