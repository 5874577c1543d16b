package io.ltm.topology.internal;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.MemoryStateCodec;
import java.time.Instant;

/** Token events of log lines for the novelty tests. */
public final class TokenEvents {
    private TokenEvents() {}

    /**
     * The wire bytes of {@code line}'s token event (the encoder's vectors, float32) at offset {@code offset} of input
     * partition 0, its time {@code offset} ms.
     */
    public static byte[] of(LtmConfig config, HashingEncoder enc, String line, long offset) {
        EncodedText e = enc.encode(line);
        return LtmSerdes.avro(EncodedTokens.class, config.serdeConfig())
                .serializer()
                .serialize(
                        "ltm.tokens",
                        EncodedTokens.newBuilder()
                                .setVectors(MemoryStateCodec.block(
                                        e.vectors(), e.count(), enc.dimension(), CoefficientPrecision.FLOAT32))
                                .setSource(SourcePosition.newBuilder()
                                        .setPartition(0)
                                        .setOffset(offset)
                                        .setTimestamp(Instant.ofEpochMilli(offset))
                                        .build())
                                .build());
    }
}
