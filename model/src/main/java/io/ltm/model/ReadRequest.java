package io.ltm.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One read of a batch: the memory key (nullable: with a key and a {@link ReadyMemoryCache} on the engine, what
 * depends only on the memory version is found in the cache), state, queryCount query vectors (row-major), options,
 * and the query's token texts (nullable: a query given as vectors has none), which the memory's {@link TermFilter}
 * matches.
 */
public record ReadRequest(
        String key, MemoryState state, float[] query, int queryCount, ReadOptions options, List<String> queryTokens) {
    public ReadRequest {
        queryTokens = queryTokens == null ? null : Collections.unmodifiableList(new ArrayList<>(queryTokens));
    }

    /** A read without token texts. */
    public ReadRequest(String key, MemoryState state, float[] query, int queryCount, ReadOptions options) {
        this(key, state, query, queryCount, options, null);
    }

    /** A read without a key (its memory's keys are computed for this read alone) and without token texts. */
    public ReadRequest(MemoryState state, float[] query, int queryCount, ReadOptions options) {
        this(null, state, query, queryCount, options, null);
    }
}
