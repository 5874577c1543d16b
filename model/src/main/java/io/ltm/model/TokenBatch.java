package io.ltm.model;

import java.util.List;

/**
 * count token vectors of the memory's dim, row-major; all from one source record.
 * tokens may be null (then the short-term memory keeps null token strings).
 */
public record TokenBatch(float[] vectors, int count, List<String> tokens, TokenSource source) {
    public TokenBatch {
        if (vectors == null) throw new IllegalArgumentException("vectors is null");
        if (count < 0) throw new IllegalArgumentException("count < 0");
        if (count > 0 && vectors.length % count != 0)
            throw new IllegalArgumentException("vectors.length not a multiple of count");
        if (tokens != null && tokens.size() != count) throw new IllegalArgumentException("tokens.size() != count");
        if (source == null) source = TokenSource.UNKNOWN;
    }
}
