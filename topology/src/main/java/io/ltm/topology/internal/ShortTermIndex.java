package io.ltm.topology.internal;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Per key: the sequence number of the next short-term record, the number of tokens buffered and the memory's origin,
 * the input offset of the token event that began it. Twenty bytes, rewritten per event instead of the whole buffer
 * (design notes). A memory begun again after a forget has a later origin than the forgotten one (the key's events
 * come through one input partition), which is how an attention worker's replica that has not yet seen the forget
 * tells the forgotten memory from a newer version of the one a request names; indexes written before the origin was
 * kept (twelve bytes) have {@link #UNKNOWN_ORIGIN}.
 */
public record ShortTermIndex(long nextSeq, int tokens, long origin) {

    /** The origin of an index written before origins were kept, or of a key without an index. */
    public static final long UNKNOWN_ORIGIN = -1;

    static final ShortTermIndex EMPTY = new ShortTermIndex(0, 0, UNKNOWN_ORIGIN);

    private static final int BYTES = Long.BYTES + Integer.BYTES + Long.BYTES;
    private static final int LEGACY_BYTES = Long.BYTES + Integer.BYTES;

    /** The index of a memory begun by the token event at input offset {@code origin}, before it is appended. */
    static ShortTermIndex begunAt(long origin) {
        return new ShortTermIndex(0, 0, origin);
    }

    ShortTermIndex append(int count) {
        return new ShortTermIndex(nextSeq + 1, tokens + count, origin);
    }

    public static Serde<ShortTermIndex> serde() {
        Serializer<ShortTermIndex> ser = (topic, v) -> v == null
                ? null
                : ByteBuffer.allocate(BYTES)
                        .putLong(v.nextSeq)
                        .putInt(v.tokens)
                        .putLong(v.origin)
                        .array();
        Deserializer<ShortTermIndex> de = (topic, b) -> {
            if (b == null) {
                return null;
            }
            if (b.length != BYTES && b.length != LEGACY_BYTES) {
                throw new SerializationException(
                        "short-term index must be " + BYTES + " (or " + LEGACY_BYTES + ") bytes, got " + b.length);
            }
            ByteBuffer buf = ByteBuffer.wrap(b);
            return new ShortTermIndex(buf.getLong(), buf.getInt(), b.length == BYTES ? buf.getLong() : UNKNOWN_ORIGIN);
        };
        return Serdes.serdeFrom(ser, de);
    }
}
