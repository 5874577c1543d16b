package io.ltm.topology.internal;

import io.ltm.model.TokenSource;
import io.ltm.schemas.EncodedTokens;
import io.ltm.topology.codec.MemoryStateCodec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The short-term records of recently ingested keys as the ingest decoded them, so that a contraction does not decode
 * its buffer's records again (Avro, then float16 to float: at defaults 16 records of 32 tokens per contraction). A
 * record is used only for the bytes it was decoded from: the reader compares them with the bytes the store holds under
 * the same store key, so a rolled-back transaction, a restore or a forget can never be read through it. Least recently
 * used keys evicted first once the records' floats and bytes exceed the bound (at defaults a full buffer takes 1.2 MB,
 * an event's record 74 KB); 0 disables it. Shared by the stream threads of a process (thread-safe).
 */
public final class DecodedShortTerm {

    /**
     * One short-term record as decoded: the bytes stored (null: not known), its {@code count} vectors, their texts
     * (null: none), their source and the bytes of the vectors as they were encoded in the record.
     */
    record Decoded(
            byte[] stored, float[] vectors, int count, List<String> tokens, TokenSource source, long vectorBytes) {

        /** Decodes a record read from the store, for one use (its bytes are not kept: it is not to be cached). */
        static Decoded of(EncodedTokens r) {
            int n = r.getVectors().getCount();
            return new Decoded(
                    null,
                    MemoryStateCodec.unblock(r.getVectors(), n, r.getVectors().getDim()),
                    n,
                    r.getTokens(),
                    Sources.toModel(r.getSource()),
                    r.getVectors().getData().remaining());
        }

        long size() {
            return (long) vectors.length * Float.BYTES + (stored == null ? 0 : stored.length);
        }
    }

    private static final class Key {
        final Map<String, Decoded> records = new HashMap<>();
        long bytes;
    }

    private final long maxBytes;
    private final LinkedHashMap<String, Key> keys = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public DecodedShortTerm(long maxBytes) {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes must be >= 0");
        this.maxBytes = maxBytes;
    }

    /** The record stored under {@code storeKey} of {@code key} as decoded, when it was decoded from {@code stored}. */
    synchronized Decoded find(String key, String storeKey, byte[] stored) {
        Key k = keys.get(key);
        Decoded d = k == null ? null : k.records.get(storeKey);
        return d != null && Arrays.equals(d.stored(), stored) ? d : null;
    }

    /** Keeps {@code d} as the record of {@code key} stored under {@code storeKey} (beside the key's others). */
    synchronized void put(String key, String storeKey, Decoded d) {
        if (d.size() > maxBytes) return;
        Key k = keys.computeIfAbsent(key, x -> new Key());
        Decoded old = k.records.put(storeKey, d);
        long delta = d.size() - (old == null ? 0 : old.size());
        k.bytes += delta;
        bytes += delta;
        Iterator<Map.Entry<String, Key>> it = keys.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            bytes -= it.next().getValue().bytes;
            it.remove();
        }
    }

    /** Drops all records of {@code key} (its buffer was contracted or forgotten). */
    synchronized void clear(String key) {
        Key k = keys.remove(key);
        if (k != null) bytes -= k.bytes;
    }

    synchronized long bytes() {
        return bytes;
    }
}
