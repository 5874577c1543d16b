package io.ltm.model.encoder;

import java.util.List;

/**
 * Turns texts into one vector per token (word piece).
 *
 * <p>Contract shared by all implementations:
 * <ul>
 *   <li>{@link #encode(List)} returns exactly one {@link EncodedText} per input text, in input order;
 *       the texts are batched together internally where the implementation can profit from it.</li>
 *   <li>Every token of every text gets exactly one vector; nothing is truncated. An empty (or blank)
 *       text yields {@code count == 0}, not an exception.</li>
 *   <li>Vectors are {@link #dimension()} floats, row-major, L2-normalised (unit length), for stored
 *       tokens and for queries alike (queries must be encoded by the same encoder).</li>
 *   <li>Results are deterministic: the same text gives the same vectors (within float tolerance
 *       for the model encoder, whose batch composition can change the last bits).</li>
 * </ul>
 */
public interface TextEncoder extends AutoCloseable {

    /** A short stable name, e.g. {@code "minilm"} or {@code "hashing-384"}. */
    String name();

    /** Floats per token vector. */
    int dimension();

    /** Encodes all texts, batched across texts; one result per text, in order. Null texts are treated as empty. */
    List<EncodedText> encode(List<String> texts);

    /** Encodes one text. */
    default EncodedText encode(String text) {
        return encode(java.util.Collections.singletonList(text)).get(0);
    }

    /**
     * The number of tokens {@link #encode(String)} would give this text, found by tokenizing only (no vectors,
     * no model call), so that callers can reject oversized texts before paying for their encoding.
     */
    int countTokens(String text);

    /** Releases native resources; idempotent. */
    @Override
    void close();
}
