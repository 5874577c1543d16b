package io.ltm.topology.internal;

/**
 * What the process keeps decoded of its keys' memories (B as stored, the term filter, the short-term buffer, the
 * long-term record and its timeline), shared by the memory node's processors and stream threads: the ingest fills and
 * uses it, a query reads it, a forget drops the key from it. Every entry is used only for the stored version it was
 * kept with.
 */
public record DecodedState(
        CoefficientLogCache coefficients, DecodedTerms terms, DecodedShortTerm shortTerm, DecodedLongTerm longTerm) {
    /** Each part bounded by {@code maxBytes} ({@code ltm.ingest.cache.bytes}; 0 keeps nothing). */
    public static DecodedState of(long maxBytes) {
        return new DecodedState(
                new CoefficientLogCache(maxBytes),
                new DecodedTerms(maxBytes),
                new DecodedShortTerm(maxBytes),
                new DecodedLongTerm(maxBytes));
    }
}
