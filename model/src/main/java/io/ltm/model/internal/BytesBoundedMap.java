package io.ltm.model.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.util.function.ToLongFunction;

/**
 * Values by key, bounded by the bytes of the values held, on Caffeine's W-TinyLFU policy: once the values exceed the
 * bound, a value put is kept only if its key was used more often lately than the one it would evict. A memory node
 * uses its keys' entries in turn (one contraction after another); once the keys outgrow the bound, least recently used
 * eviction drops each entry just before it is used again, while this policy keeps most of those that fit
 * (docs/bench-2026-12-06-caches). A value of no bytes (which Caffeine would never evict) or of more than the bound is
 * not kept (a bound of 0 keeps nothing). The caches of decoded memory parts are built on it, each deciding for itself
 * which value answers for which version. Not thread-safe: its callers synchronise.
 */
public final class BytesBoundedMap<V> {
    private final long maxBytes;
    private final ToLongFunction<V> size;
    private final Cache<String, V> entries;
    private int evicted;

    /** {@code size}: the bytes a value holds (the same for the same value every time it is asked). */
    public BytesBoundedMap(long maxBytes, ToLongFunction<V> size) {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes must be >= 0, not " + maxBytes);
        this.maxBytes = maxBytes;
        this.size = size;
        // eviction in the caller's thread, within put: callers hold their lock, and bytes() is then exact
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, V v) -> (int) size.applyAsLong(v))
                .executor(Runnable::run)
                .evictionListener((String k, V v, RemovalCause cause) -> evicted++)
                .build();
    }

    /** The key's value, or null; a value found counts as a use of its key. */
    public V get(String key) {
        return entries.getIfPresent(key);
    }

    /**
     * Keeps {@code value} as the key's (replacing any other) if the policy admits it; returns how many entries were
     * evicted for it (the value itself among them when it was not admitted).
     */
    public int put(String key, V value) {
        long s = size.applyAsLong(value);
        if (s == 0 || s > maxBytes || s > Integer.MAX_VALUE) {
            entries.invalidate(key);
            return 0;
        }
        evicted = 0;
        entries.put(key, value);
        entries.cleanUp();
        return evicted;
    }

    /** Drops the key's value, if any. */
    public void remove(String key) {
        entries.invalidate(key);
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes of the values held. */
    public long bytes() {
        return entries.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    public int size() {
        return (int) entries.estimatedSize();
    }
}
