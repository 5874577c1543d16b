package io.ltm.model.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Values by key, bounded by the bytes of the values held: the least recently used is evicted first once they exceed
 * the bound, and a value larger than the bound is not kept (a bound of 0 keeps nothing). The caches of decoded memory
 * parts are built on it, each deciding for itself which value answers for which version. Not thread-safe: its callers
 * synchronise.
 */
public final class BytesBoundedMap<V> {
    private final long maxBytes;
    private final ToLongFunction<V> size;
    private final LinkedHashMap<String, V> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    /** {@code size}: the bytes a value holds (the same for the same value every time it is asked). */
    public BytesBoundedMap(long maxBytes, ToLongFunction<V> size) {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes must be >= 0, not " + maxBytes);
        this.maxBytes = maxBytes;
        this.size = size;
    }

    /** The key's value, or null; a value found becomes the most recently used. */
    public V get(String key) {
        return entries.get(key);
    }

    /** Keeps {@code value} as the key's (replacing any other); returns how many other entries were evicted for it. */
    public int put(String key, V value) {
        remove(key);
        long s = size.applyAsLong(value);
        if (s > maxBytes) return 0;
        entries.put(key, value);
        bytes += s;
        int evicted = 0;
        Iterator<Map.Entry<String, V>> it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            bytes -= size.applyAsLong(it.next().getValue());
            it.remove();
            evicted++;
        }
        return evicted;
    }

    /** Drops the key's value, if any. */
    public void remove(String key) {
        V old = entries.remove(key);
        if (old != null) bytes -= size.applyAsLong(old);
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes of the values held. */
    public long bytes() {
        return bytes;
    }

    public int size() {
        return entries.size();
    }
}
