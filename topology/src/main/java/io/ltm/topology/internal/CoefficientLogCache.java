package io.ltm.topology.internal;

import io.ltm.model.CoefficientLog;
import io.ltm.model.internal.BytesBoundedMap;
import io.ltm.schemas.CoefficientLogState;

/**
 * The decoded B ({@link CoefficientLog}) of the stored version of recently contracted keys, so that a key's next
 * contraction neither reads nor decodes B's records again (at defaults a 393 KB float16 base and its deltas per
 * contraction). An entry is used only for the stored version it was made from: a memory record names its B records by
 * their CRCs ({@link CoefficientLogState}), and an entry is kept with that header, so a rolled-back transaction, a
 * restore or another task's write can never be read through it. An entry is made when a contraction writes a new base
 * and extended by the deltas after it; it is decoded only when a contraction needs its values. Bounded by the entries'
 * values counted as float32 ({@link BytesBoundedMap}: the keys contracted most often lately stay, which keeps most of
 * those that fit when more keys than fit contract in turn); 0 disables it. Shared by the stream threads of a process
 * (thread-safe).
 */
public final class CoefficientLogCache {
    /** A key's B of one stored version, and the bytes of its stored records (the bound counts them as float32). */
    record Kept(CoefficientLog log, long storedBytes) {}

    private record Entry(CoefficientLogState header, Kept kept, long bytes) {}

    private final BytesBoundedMap<Entry> entries;

    public CoefficientLogCache(long maxBytes) {
        this.entries = new BytesBoundedMap<>(maxBytes, Entry::bytes);
    }

    /** The key's B for the stored version {@code header} names, or null when the cache holds another or none. */
    synchronized Kept find(String key, CoefficientLogState header) {
        Entry e = header == null ? null : entries.get(key);
        return e != null && e.header().equals(header) ? e.kept() : null;
    }

    /**
     * Keeps {@code kept} as the key's B of the stored version {@code header} names (replacing any other); {@code
     * valueBytes}: the bytes of one stored value (the bound counts each as a float32).
     */
    synchronized void put(String key, CoefficientLogState header, Kept kept, int valueBytes) {
        if (header == null) {
            entries.remove(key);
            return;
        }
        entries.put(key, new Entry(header, kept, kept.storedBytes() / valueBytes * Float.BYTES));
    }

    synchronized void invalidate(String key) {
        entries.remove(key);
    }

    /** Keys held. */
    public synchronized int size() {
        return entries.size();
    }

    synchronized long bytes() {
        return entries.bytes();
    }
}
