package io.ltm.model.encoder;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The token vectors of one text.
 *
 * @param vectors {@code count * dim} floats, row-major: row {@code i} is the vector of token {@code i}
 * @param count number of tokens (rows)
 * @param tokens the token texts (word pieces as the tokenizer writes them, e.g. {@code "##ing"} for the
 *     MiniLM encoder), {@code tokens.size() == count}
 */
public record EncodedText(float[] vectors, int count, List<String> tokens) {

    public EncodedText {
        Objects.requireNonNull(vectors, "vectors");
        Objects.requireNonNull(tokens, "tokens");
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        if (tokens.size() != count) {
            throw new IllegalArgumentException("tokens.size()=" + tokens.size() + " != count=" + count);
        }
        if (count == 0 ? vectors.length != 0 : vectors.length % count != 0) {
            throw new IllegalArgumentException(
                    "vectors.length=" + vectors.length + " is not a multiple of count=" + count);
        }
        tokens = List.copyOf(tokens);
    }

    /** An empty result (no tokens). */
    public static EncodedText empty() {
        return new EncodedText(new float[0], 0, List.of());
    }

    /** Floats per vector ({@code 0} when there are no tokens). */
    public int dimension() {
        return count == 0 ? 0 : vectors.length / count;
    }

    /** A copy of the vector of token {@code i}. */
    public float[] vector(int i) {
        Objects.checkIndex(i, count);
        int d = dimension();
        return Arrays.copyOfRange(vectors, i * d, (i + 1) * d);
    }

    /** The mean of all token vectors (not normalised); a zero-length array when there are no tokens. */
    public float[] mean() {
        int d = dimension();
        float[] m = new float[d];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < d; j++) {
                m[j] += vectors[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            m[j] /= count;
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedText e
                && count == e.count
                && Arrays.equals(vectors, e.vectors)
                && tokens.equals(e.tokens);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(vectors) + count) + tokens.hashCode();
    }

    @Override
    public String toString() {
        return "EncodedText[count=" + count + ", dim=" + dimension() + ", tokens=" + tokens + "]";
    }
}
