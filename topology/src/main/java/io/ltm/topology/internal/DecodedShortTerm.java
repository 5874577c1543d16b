package io.ltm.topology.internal;

import io.ltm.model.TokenSource;
import io.ltm.model.internal.BytesBoundedMap;
import java.util.ArrayList;
import java.util.List;

/**
 * The short-term buffers of recently active keys, decoded: what every query and every contraction would otherwise
 * range-scan from the short-term store and decode (up to L − 1 vectors per key). An entry is used only while the key's
 * stored index is the one it was kept with (next sequence number, tokens buffered, origin, contraction count and the
 * digest of the records' bytes: a rolled-back transaction, a restore of another history or a forget leaves another
 * index), and an append extends it only when it follows that index; a buffer whose index has no origin or digest (written
 * by an earlier release) is not kept. Least recently used keys evicted first once the
 * vectors' bytes exceed the bound; 0 keeps nothing. Shared by the stream threads of a process (thread-safe; entries
 * are immutable).
 */
public final class DecodedShortTerm {

    /** Bytes counted per buffered token besides its vector: its text, its source and the lists' references. */
    private static final long TOKEN_BYTES = 48;

    /**
     * One short-term record, decoded: its store key, vectors [count, d] (not modified by anyone), token texts (null when
     * the record has none), source and the bytes its vectors take in the store.
     */
    record Part(
            String storeKey, float[] vectors, int count, List<String> tokens, TokenSource source, long storedBytes) {}

    private record Entry(ShortTermIndex index, List<Part> parts) {
        long bytes() {
            long b = 0;
            for (Part p : parts) b += (long) p.vectors().length * Float.BYTES + p.count() * TOKEN_BYTES;
            return b;
        }
    }

    private final BytesBoundedMap<Entry> entries;

    public DecodedShortTerm(long maxBytes) {
        this.entries = new BytesBoundedMap<>(maxBytes, Entry::bytes);
    }

    /** The key's buffer in arrival order when {@code index} is the one it was kept with, else null. */
    synchronized List<Part> find(String key, ShortTermIndex index) {
        Entry e = entries.get(key);
        return e != null && e.index().equals(index) ? e.parts() : null;
    }

    /** Keeps {@code parts} as the key's buffer at {@code index} (replacing any other). */
    synchronized void put(String key, ShortTermIndex index, List<Part> parts) {
        if (index.origin() == ShortTermIndex.UNKNOWN || index.digest() == ShortTermIndex.UNKNOWN) {
            entries.remove(key);
            return;
        }
        entries.put(key, new Entry(index, List.copyOf(parts)));
    }

    /**
     * After {@code part} was appended to the key's buffer at {@code before}, which is now {@code after}: the entry grows
     * when it is the buffer at {@code before} (or the buffer was empty), and is dropped otherwise.
     */
    synchronized void appended(String key, ShortTermIndex before, ShortTermIndex after, Part part) {
        Entry e = entries.get(key);
        if (before.tokens() == 0) {
            put(key, after, List.of(part));
        } else if (e != null && e.index().equals(before)) {
            List<Part> parts = new ArrayList<>(e.parts().size() + 1);
            parts.addAll(e.parts());
            parts.add(part);
            put(key, after, parts);
        } else {
            entries.remove(key);
        }
    }

    synchronized void invalidate(String key) {
        entries.remove(key);
    }

    /** Bytes of the buffers held. */
    public synchronized long bytes() {
        return entries.bytes();
    }

    /** Keys held. */
    public synchronized int size() {
        return entries.size();
    }
}
