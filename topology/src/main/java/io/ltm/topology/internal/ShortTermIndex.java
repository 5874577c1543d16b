package io.ltm.topology.internal;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Per key: the sequence number of the next short-term record, the number of tokens buffered, the memory's origin (the
 * input offset of the token event that began it) and the contractions of the long-term part the buffer follows.
 * Twenty-eight bytes, rewritten per event instead of the whole buffer (design notes). Both let an attention worker's
 * replica, which reads the stores' changelogs one partition at a time, check that what it holds is one memory at one
 * point: a memory begun again after a forget has a later origin than the forgotten one (the key's events come through
 * one input partition), and a long-term record whose contraction count is not the index's belongs to another
 * transaction than the short-term records. Indexes written before these were kept (twelve bytes) have
 * {@link #UNKNOWN}.
 */
public record ShortTermIndex(long nextSeq, int tokens, long origin, long contractions) {

    /** The origin or contraction count of an index written before they were kept, or of a key without an index. */
    public static final long UNKNOWN = -1;

    static final ShortTermIndex EMPTY = new ShortTermIndex(0, 0, UNKNOWN, UNKNOWN);

    private static final int BYTES = Long.BYTES + Integer.BYTES + Long.BYTES + Long.BYTES;
    private static final int LEGACY_BYTES = Long.BYTES + Integer.BYTES;

    /** The index of a memory begun by the token event at input offset {@code origin}, before it is appended. */
    static ShortTermIndex begunAt(long origin) {
        return new ShortTermIndex(0, 0, origin, 0);
    }

    ShortTermIndex append(int count) {
        return new ShortTermIndex(nextSeq + 1, tokens + count, origin, contractions);
    }

    /** After a contraction to {@code contractions}: {@code tokens} left over, in a record at {@link #nextSeq} if any. */
    ShortTermIndex contracted(long contractions, int tokens) {
        return new ShortTermIndex(tokens > 0 ? nextSeq + 1 : nextSeq, tokens, origin, contractions);
    }

    public static Serde<ShortTermIndex> serde() {
        Serializer<ShortTermIndex> ser = (topic, v) -> v == null
                ? null
                : ByteBuffer.allocate(BYTES)
                        .putLong(v.nextSeq)
                        .putInt(v.tokens)
                        .putLong(v.origin)
                        .putLong(v.contractions)
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
            return b.length == BYTES
                    ? new ShortTermIndex(buf.getLong(), buf.getInt(), buf.getLong(), buf.getLong())
                    : new ShortTermIndex(buf.getLong(), buf.getInt(), UNKNOWN, UNKNOWN);
        };
        return Serdes.serdeFrom(ser, de);
    }
}
