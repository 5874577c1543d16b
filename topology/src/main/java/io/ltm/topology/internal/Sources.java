package io.ltm.topology.internal;

import io.ltm.model.TokenSource;
import io.ltm.schemas.SourcePosition;

/** Conversions between the model's {@link TokenSource} and the wire's {@link SourcePosition}. */
final class Sources {

    private Sources() {}

    static TokenSource toModel(SourcePosition p) {
        return p == null
                ? null
                : new TokenSource(
                        p.getTopic(),
                        p.getPartition(),
                        p.getOffset(),
                        p.getTimestamp().toEpochMilli(),
                        p.getSourceId());
    }

    static SourcePosition toWire(TokenSource s) {
        return s == null
                ? null
                : SourcePosition.newBuilder()
                        .setTopic(s.topic())
                        .setPartition(s.partition())
                        .setOffset(s.offset())
                        .setTimestamp(java.time.Instant.ofEpochMilli(s.timestamp()))
                        .setSourceId(s.sourceId())
                        .build();
    }
}
