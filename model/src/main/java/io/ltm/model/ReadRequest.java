package io.ltm.model;

/**
 * One read of a batch: the memory key (nullable: with a key and a {@link ReadyMemoryCache} on the engine, what
 * depends only on the memory version is found in the cache), state, queryCount query vectors (row-major), options.
 */
public record ReadRequest(String key, MemoryState state, float[] query, int queryCount, ReadOptions options) {
    /** A read without a key (its memory's keys are computed for this read alone). */
    public ReadRequest(MemoryState state, float[] query, int queryCount, ReadOptions options) {
        this(null, state, query, queryCount, options);
    }
}
