package io.ltm.model;

import io.ltm.model.internal.BytesBoundedMap;
import java.util.function.Function;

/**
 * A bounded cache of {@link ReadyMemory} by memory key: at most one version per key (a newer version replaces the
 * older one when it is first read), bounded by the entries' {@link ReadyMemory#bytes()} ({@link BytesBoundedMap}: the
 * memories read most often lately stay). A bound of 0 disables it. Thread-safe; a ready memory is built outside the
 * lock, so two threads that miss on the same key at once both build it.
 */
public final class ReadyMemoryCache {
    private final BytesBoundedMap<ReadyMemory> entries;
    private long hits;
    private long misses;
    private long evictions;

    public ReadyMemoryCache(long maxBytes) {
        this.entries = new BytesBoundedMap<>(maxBytes, ReadyMemory::bytes);
    }

    /** The ready memory of {@code key} for this version of its state, built with {@code build} on a miss. */
    public ReadyMemory get(String key, MemoryState state, Function<MemoryState, ReadyMemory> build) {
        synchronized (this) {
            ReadyMemory r = entries.get(key);
            if (r != null && r.isFor(state)) {
                hits++;
                return r;
            }
            misses++;
        }
        ReadyMemory r = build.apply(state);
        put(key, r);
        return r;
    }

    /**
     * The ready memory of {@code key} if it is of the version of this stored state, else null (no statistics
     * counted): its B can stand in for decoding the stored one.
     */
    public synchronized ReadyMemory find(String key, StoredVersion stored) {
        ReadyMemory r = entries.get(key);
        return r != null && r.isFor(stored) ? r : null;
    }

    /** Drops the key's entry (for example when its memory is forgotten). */
    public synchronized void invalidate(String key) {
        entries.remove(key);
    }

    private synchronized void put(String key, ReadyMemory r) {
        evictions += entries.put(key, r);
    }

    public long maxBytes() {
        return entries.maxBytes();
    }

    public synchronized long bytes() {
        return entries.bytes();
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    public synchronized long evictions() {
        return evictions;
    }

    @Override
    public synchronized String toString() {
        return "ReadyMemoryCache{entries=" + entries.size() + ", bytes=" + entries.bytes() + "/" + entries.maxBytes()
                + ", hits=" + hits
                + ", misses=" + misses + ", evictions=" + evictions + "}";
    }
}
