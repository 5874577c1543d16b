package io.ltm.topology.internal;

/**
 * What the process keeps decoded between a key's contractions (B as stored, the term filter), shared by the memory
 * node's processors and stream threads: the ingest fills and uses it, a query reads it, a forget drops the key from it.
 * Every entry is used only for the stored record it was kept with.
 */
public record DecodedState(CoefficientLogCache coefficients, DecodedTerms terms) {
    /** Each part bounded by {@code maxBytes} ({@code ltm.ingest.cache.bytes}; 0 keeps nothing). */
    public static DecodedState of(long maxBytes) {
        return new DecodedState(new CoefficientLogCache(maxBytes), new DecodedTerms(maxBytes));
    }
}
