package io.ltm.topology.internal;

import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.MemoryQuery;
import java.util.List;

/**
 * The token vectors of a query: the ones it carries, or its text encoded with the node's encoder. One
 * encoder serves every stream thread of the process, so calls are serialised (encoding a short query
 * costs milliseconds; events are encoded by the encode worker, not here).
 */
public final class QueryVectors {

    /** Vectors of a query, row-major, with their token texts (null for a query sent as vectors). */
    public record Encoded(float[] vectors, int count, List<String> tokens) {}

    private final TextEncoder encoder;
    private final InputValidator validator;

    public QueryVectors(TextEncoder encoder, InputValidator validator) {
        this.encoder = encoder;
        this.validator = validator;
    }

    /** The query's vectors, or its text encoded; the text is measured before it is encoded. */
    public Encoded of(MemoryQuery q) {
        if (q.getVectors() != null) {
            return new Encoded(
                    validator.queryVectors(q.getVectors()), q.getVectors().getCount(), null);
        }
        String text = text(q);
        if (encoder == null) {
            throw new InvalidInputException(
                    "query has text but this node has no encoder (ltm.encoder=none); " + "send vectors");
        }
        if (encoder.dimension() != validator.dim()) {
            throw new InvalidInputException("encoder " + encoder.name() + " gives dimension " + encoder.dimension()
                    + ", this memory expects " + validator.dim());
        }
        validator.queryText(text, encoder);
        EncodedText e;
        synchronized (encoder) {
            e = encoder.encode(text);
        }
        return new Encoded(e.vectors(), e.count(), e.tokens());
    }

    /** What can be checked without encoding: for a query whose text is encoded elsewhere (the attention worker). */
    void check(MemoryQuery q) {
        if (q.getVectors() != null) {
            validator.queryVectors(q.getVectors());
        } else {
            validator.textLength(text(q), "query text");
        }
    }

    private static String text(MemoryQuery q) {
        if (q.getText() == null || q.getText().isBlank()) {
            throw new InvalidInputException("query has neither vectors nor text");
        }
        return q.getText();
    }
}
