package io.ltm.model;

/** Where a token came from in the original stream. */
public record TokenSource(String topic, int partition, long offset, long timestamp, String sourceId) {
    public static final TokenSource UNKNOWN = new TokenSource(null, -1, -1L, 0L, null);
}
