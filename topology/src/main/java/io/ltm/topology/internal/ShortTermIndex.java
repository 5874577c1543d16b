package io.ltm.topology.internal;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Per key: the sequence number of the next short-term record and the number of tokens buffered. Twelve
 * bytes, rewritten per event instead of the whole buffer (design notes).
 */
public record ShortTermIndex(long nextSeq, int tokens) {

    static final ShortTermIndex EMPTY = new ShortTermIndex(0, 0);

    ShortTermIndex append(int count) {
        return new ShortTermIndex(nextSeq + 1, tokens + count);
    }

    public static Serde<ShortTermIndex> serde() {
        Serializer<ShortTermIndex> ser = (topic, v) -> v == null
                ? null
                : ByteBuffer.allocate(12).putLong(v.nextSeq).putInt(v.tokens).array();
        Deserializer<ShortTermIndex> de = (topic, b) -> {
            if (b == null) {
                return null;
            }
            if (b.length != 12) {
                throw new SerializationException("short-term index must be 12 bytes, got " + b.length);
            }
            ByteBuffer buf = ByteBuffer.wrap(b);
            return new ShortTermIndex(buf.getLong(), buf.getInt());
        };
        return Serdes.serdeFrom(ser, de);
    }
}
