package io.ltm.topology.internal;

import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.VectorBlock;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.MemoryStateCodec;

/**
 * Checks of incoming vectors and texts: dimension, size, finiteness, length. Bad input is rejected, never fixed
 * up silently. Texts are measured before they are encoded (characters, then word pieces by tokenizing only), so
 * an oversized text costs neither the memory of its vectors nor the model's time.
 */
public final class InputValidator {

    private final int dim;
    private final int maxTokens;
    private final int maxQueryTokens;
    private final int maxChars;

    InputValidator(int dim, int maxTokens, int maxQueryTokens, int maxChars) {
        this.dim = dim;
        this.maxTokens = maxTokens;
        this.maxQueryTokens = maxQueryTokens;
        this.maxChars = maxChars;
    }

    public static InputValidator of(LtmConfig config) {
        return new InputValidator(
                config.getInt(LtmConfig.MEMORY_DIM),
                config.getInt(LtmConfig.INGEST_MAX_TOKENS),
                config.getInt(LtmConfig.QUERY_MAX_TOKENS),
                config.getInt(LtmConfig.TEXT_MAX_CHARS));
    }

    /** The floats of an event's block, or an {@link InvalidInputException} saying what is wrong with it. */
    public float[] vectors(VectorBlock block, String what) {
        return vectors(block, what, maxTokens);
    }

    /** The floats of a query's block, checked against the query limit. */
    public float[] queryVectors(VectorBlock block) {
        return vectors(block, "query", maxQueryTokens);
    }

    /** Checks an event's text before it is encoded; returns its word-piece count. */
    public int text(String text, TextEncoder encoder, String what) {
        return text(text, encoder, what, maxTokens);
    }

    /** Checks a query's text before it is encoded; returns its word-piece count. */
    public int queryText(String text, TextEncoder encoder) {
        return text(text, encoder, "query text", maxQueryTokens);
    }

    /** Only the length in characters: for callers that forward the text to an encoder elsewhere. */
    void textLength(String text, String what) {
        if (text.length() > maxChars) {
            throw new InvalidInputException(
                    what + " has " + text.length() + " characters, more than the limit of " + maxChars);
        }
    }

    private int text(String text, TextEncoder encoder, String what, int limit) {
        textLength(text, what);
        int pieces = encoder.countTokens(text);
        if (pieces == 0) {
            throw new InvalidInputException(what + " has no tokens");
        }
        if (pieces > limit) {
            throw new InvalidInputException(what + " has " + pieces + " word pieces, more than the limit of " + limit);
        }
        return pieces;
    }

    private float[] vectors(VectorBlock block, String what, int limit) {
        if (block == null) {
            throw new InvalidInputException(what + " has no vectors");
        }
        if (block.getDim() != dim) {
            throw new InvalidInputException(what + " has dimension " + block.getDim() + ", this memory expects " + dim);
        }
        if (block.getCount() <= 0) {
            throw new InvalidInputException(what + " is empty (count " + block.getCount() + ")");
        }
        if (block.getCount() > limit) {
            throw new InvalidInputException(
                    what + " has " + block.getCount() + " vectors, more than the limit of " + limit);
        }
        float[] v;
        try {
            v = MemoryStateCodec.unblock(block, block.getCount(), block.getDim());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidInputException(what + ": " + e.getMessage());
        }
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new InvalidInputException(what + " has a non-finite value (" + v[i] + ") at vector " + i / dim
                        + ", component " + i % dim);
            }
        }
        return v;
    }

    public int dim() {
        return dim;
    }
}
