package io.ltm.model;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A bounded cache of {@link ReadyMemory} by memory key: at most one version per key (a newer version replaces the
 * older one when it is first read), least recently read evicted first once the entries' {@link ReadyMemory#bytes()}
 * exceed the bound. A bound of 0 disables it. Thread-safe; a ready memory is built outside the lock, so two threads
 * that miss on the same key at once both build it.
 */
public final class ReadyMemoryCache {
    private final long maxBytes;
    private final LinkedHashMap<String, ReadyMemory> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;
    private long evictions;

    public ReadyMemoryCache(long maxBytes) {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes must be >= 0");
        this.maxBytes = maxBytes;
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
        ReadyMemory old = entries.remove(key);
        if (old != null) bytes -= old.bytes();
    }

    private synchronized void put(String key, ReadyMemory r) {
        invalidate(key);
        if (r.bytes() > maxBytes) return;
        entries.put(key, r);
        bytes += r.bytes();
        Iterator<Map.Entry<String, ReadyMemory>> it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            ReadyMemory e = it.next().getValue();
            it.remove();
            bytes -= e.bytes();
            evictions++;
        }
    }

    public long maxBytes() {
        return maxBytes;
    }

    public synchronized long bytes() {
        return bytes;
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
        return "ReadyMemoryCache{entries=" + entries.size() + ", bytes=" + bytes + "/" + maxBytes + ", hits=" + hits
                + ", misses=" + misses + ", evictions=" + evictions + "}";
    }
}
