package io.ltm.model;

/**
 * A stored memory's version, as {@link ReadyMemory#isFor(StoredVersion)} compares it without decoding the stored B:
 * B's shape (0 × 0 when there is none), the counters, and single coefficients read from the stored form. A codec
 * builds it from its own record, so that the model knows no wire format.
 */
public record StoredVersion(
        int rows, int dim, long contractions, long longTermTokens, long updatedAt, Coefficients coefficients) {

    /** Coefficient {@code i} (row-major) of the stored B; null when the stored state has no B. */
    @FunctionalInterface
    public interface Coefficients {
        float at(int i);
    }
}
