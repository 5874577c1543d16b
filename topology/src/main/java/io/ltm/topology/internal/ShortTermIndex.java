package io.ltm.topology.internal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Per key: the sequence number of the next short-term record, the number of tokens buffered, the memory's origin (the
 * input offset of the token event that began it), the contractions of the long-term part the buffer follows, a
 * digest of the buffered records and the id of the long-term record written with the last contraction. Forty-four
 * bytes, rewritten per event instead of the whole buffer (design notes).
 * The origin and the count let an attention worker's replica, which reads the stores' changelogs one partition at a
 * time, check that what it holds is one memory at one point: a memory begun again after a forget has a later origin
 * than the forgotten one (the key's events come through one input partition), and a long-term record whose
 * contraction count is not the index's belongs to another transaction than the short-term records. The digest (a
 * CRC-32C chained over the records' stored bytes in order) tells the process's decoded copy of the buffer
 * ({@link DecodedShortTerm}) from the records of another history that a restore brought. The long-term id, drawn at
 * random by each contraction and written in the same transaction as the long-term record, does the same for the
 * process's decoded copy of that record ({@link DecodedLongTerm}): a record of a rolled-back transaction or of another
 * history was written with another id, whatever its counters. Indexes written before these were kept (twelve bytes,
 * then twenty-eight without the digest, then thirty-six without the long-term id) have {@link #UNKNOWN}.
 */
public record ShortTermIndex(long nextSeq, int tokens, long origin, long contractions, long digest, long longTerm) {

    /**
     * The origin, contraction count, digest or long-term id of an index written before they were kept, or of a key
     * without one.
     */
    public static final long UNKNOWN = -1;

    static final ShortTermIndex EMPTY = new ShortTermIndex(0, 0, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN);

    /** The digest of an empty buffer. */
    private static final long NOTHING = 0;

    private static final int BYTES = Long.BYTES + Integer.BYTES + Long.BYTES + Long.BYTES + Long.BYTES + Long.BYTES;
    private static final int WITHOUT_LONG_TERM_BYTES = BYTES - Long.BYTES;
    private static final int UNDIGESTED_BYTES = WITHOUT_LONG_TERM_BYTES - Long.BYTES;
    private static final int LEGACY_BYTES = Long.BYTES + Integer.BYTES;

    /** An index without a digest, as earlier releases wrote it. */
    public ShortTermIndex(long nextSeq, int tokens, long origin, long contractions) {
        this(nextSeq, tokens, origin, contractions, UNKNOWN, UNKNOWN);
    }

    /** The index of a memory begun by the token event at input offset {@code origin}, before it is appended. */
    static ShortTermIndex begunAt(long origin) {
        return new ShortTermIndex(0, 0, origin, 0, NOTHING, UNKNOWN);
    }

    /** After the record {@code stored} (its bytes in the store) of {@code count} tokens was appended. */
    ShortTermIndex append(int count, byte[] stored) {
        return new ShortTermIndex(nextSeq + 1, tokens + count, origin, contractions, chain(digest, stored), longTerm);
    }

    /**
     * After a contraction to {@code contractions} that wrote the long-term record of id {@code longTerm}: {@code tokens}
     * left over, in the record {@code tail} (its bytes in the store; null when nothing is left) at {@link #nextSeq}.
     */
    ShortTermIndex contracted(long contractions, int tokens, byte[] tail, long longTerm) {
        return tail == null
                ? new ShortTermIndex(nextSeq, 0, origin, contractions, NOTHING, longTerm)
                : new ShortTermIndex(nextSeq + 1, tokens, origin, contractions, chain(NOTHING, tail), longTerm);
    }

    private static long chain(long digest, byte[] stored) {
        if (digest == UNKNOWN) return UNKNOWN;
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(Long.BYTES).putLong(digest).flip());
        crc.update(stored);
        return crc.getValue();
    }

    public static Serde<ShortTermIndex> serde() {
        Serializer<ShortTermIndex> ser = (topic, v) -> v == null
                ? null
                : ByteBuffer.allocate(BYTES)
                        .putLong(v.nextSeq)
                        .putInt(v.tokens)
                        .putLong(v.origin)
                        .putLong(v.contractions)
                        .putLong(v.digest)
                        .putLong(v.longTerm)
                        .array();
        Deserializer<ShortTermIndex> de = (topic, b) -> {
            if (b == null) {
                return null;
            }
            if (b.length != BYTES
                    && b.length != WITHOUT_LONG_TERM_BYTES
                    && b.length != UNDIGESTED_BYTES
                    && b.length != LEGACY_BYTES) {
                throw new SerializationException("short-term index must be " + BYTES + " (or " + WITHOUT_LONG_TERM_BYTES
                        + ", " + UNDIGESTED_BYTES + " or " + LEGACY_BYTES + ") bytes, got " + b.length);
            }
            ByteBuffer buf = ByteBuffer.wrap(b);
            long seq = buf.getLong();
            int tokens = buf.getInt();
            if (b.length == LEGACY_BYTES) return new ShortTermIndex(seq, tokens, UNKNOWN, UNKNOWN);
            long origin = buf.getLong();
            long contractions = buf.getLong();
            long digest = b.length >= WITHOUT_LONG_TERM_BYTES ? buf.getLong() : UNKNOWN;
            return new ShortTermIndex(
                    seq, tokens, origin, contractions, digest, b.length == BYTES ? buf.getLong() : UNKNOWN);
        };
        return Serdes.serdeFrom(ser, de);
    }
}
