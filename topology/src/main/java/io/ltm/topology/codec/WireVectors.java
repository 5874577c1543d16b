package io.ltm.topology.codec;

import io.ltm.model.CoefficientPrecision;
import io.ltm.schemas.VectorBlock;

/**
 * The precision at which each kind of vector travels between our processes, named once here so that no writer picks
 * one by itself; a reader takes whichever encoding a block says ({@link MemoryStateCodec#unblock}).
 */
public final class WireVectors {
    /**
     * Token vectors ({@code EncodedTokens.vectors}), as the encode worker writes them: many per event, so half the
     * bytes matters, and they end in a memory stored at float16 by default.
     */
    public static final CoefficientPrecision TOKENS = CoefficientPrecision.FLOAT16;

    /**
     * Query vectors ({@code MemoryQuery.vectors}, {@code RereadRequest.query}): one or a few per query, kept as the
     * encoder computed them, since every score of the read is taken against them.
     */
    public static final CoefficientPrecision QUERIES = CoefficientPrecision.FLOAT32;

    private WireVectors() {}

    /** count×dim token vectors at {@link #TOKENS}. */
    public static VectorBlock tokens(float[] vectors, int count, int dim) {
        return MemoryStateCodec.block(vectors, count, dim, TOKENS);
    }

    /** count×dim query vectors at {@link #QUERIES}. */
    public static VectorBlock query(float[] vectors, int count, int dim) {
        return MemoryStateCodec.block(vectors, count, dim, QUERIES);
    }
}
