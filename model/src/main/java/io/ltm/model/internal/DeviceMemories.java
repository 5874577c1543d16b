package io.ltm.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Memories kept on the engine's device between batched zero-shot reads, so that a batch uploads only the memory
 * versions it has not seen (uploading every batch's distinct B was most of a GPU batch's host time). An entry is one
 * version of a memory, known by the identity of its coefficient array B (a version's array never changes; a new
 * version is a new array), and holds B [N, d] and, with cosine keys, its normalised keys X̄(centre)/|X̄(centre)| [C, d],
 * computed once when it is uploaded. A new version of a memory key replaces the key's older one when it is uploaded.
 *
 * <p>Bounded by the bytes of its arrays (float32): the least recently read is evicted first and its arrays closed. A
 * version that fits only by evicting one that the same batch reads is not kept: its arrays belong to the batch. An
 * entry holds its B weakly, so that a version nobody holds any more is dropped (its arrays closed) at the next batch
 * instead of waiting for eviction. A bound of 0 keeps nothing. Not thread-safe (one per engine); {@link #close()}
 * closes every array held.
 */
public final class DeviceMemories implements AutoCloseable {
    /** B [N, d] and, with cosine keys, the normalised keys [C, d] (null with raw keys: the keys are B's rows). */
    public record Memory(NDArray b, NDArray keys) {}

    /** Bound of a new engine's device memories: 1 GiB, about 910 memories at the defaults (N 512, d 384). */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;

    /** The staging slot uploads use. */
    public static final int UPLOAD_SLOT = 0;

    private static final class Entry {
        private final WeakReference<float[]> version;
        private final String key;
        private final Memory memory;
        private final long bytes;

        private Entry(float[] version, String key, Memory memory, long bytes) {
            this.version = new WeakReference<>(version);
            this.key = key;
            this.memory = memory;
            this.bytes = bytes;
        }
    }

    private final DeviceMath math;
    private final NDManager mgr;
    private final Staging staging;
    private final boolean cosineKeys;
    private final long maxBytes;
    // float[] hashes and compares by identity: a version's own array finds its entry
    private final Map<float[], Entry> byVersion = new WeakHashMap<>();
    private final Map<String, Entry> byKey = new HashMap<>();
    private final Set<Entry> leastRecentFirst = new LinkedHashSet<>();
    private long bytes;
    private long hits;
    private long misses;
    private long evictions;

    /**
     * @param staging the direct buffers uploads go through (its slot {@link #UPLOAD_SLOT} is used during {@link #of})
     */
    public DeviceMemories(DeviceMath math, Staging staging, boolean cosineKeys, long maxBytes) {
        if (maxBytes < 0) throw new IllegalArgumentException("deviceMemoryBytes must be >= 0, not " + maxBytes);
        this.math = math;
        this.mgr = math.manager().newSubManager();
        this.staging = staging;
        this.cosineKeys = cosineKeys;
        this.maxBytes = maxBytes;
    }

    /**
     * The device arrays of each version (the coefficient arrays B, row-major [N, d], distinct), in order; versions not
     * held are uploaded (in one transfer) and their keys computed. Arrays of versions that are not kept belong to
     * {@code batch} and are valid until it closes; the others until they are evicted, at a later call.
     *
     * @param memoryKeys the memory key of each version, or null where it has none (a new version replaces its key's older)
     */
    public Memory[] of(List<float[]> versions, List<String> memoryKeys, NDManager batch) {
        dropUnreachable();
        Memory[] out = new Memory[versions.size()];
        Set<Entry> read = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Integer> missing = new ArrayList<>();
        for (int u = 0; u < out.length; u++) {
            Entry e = byVersion.get(versions.get(u));
            if (e == null) {
                missing.add(u);
                continue;
            }
            hits++;
            leastRecentFirst.remove(e); // to the most recent end
            leastRecentFirst.add(e);
            read.add(e);
            out[u] = e.memory;
        }
        if (missing.isEmpty()) return out;
        misses += missing.size();
        int n = math.n();
        int size = versions.get(missing.get(0)).length;
        int d = size / n;
        staging.begin(UPLOAD_SLOT, missing.size() * size);
        for (int x = 0; x < missing.size(); x++)
            staging.put(UPLOAD_SLOT, x * size, versions.get(missing.get(x)), 0, size);
        try (NDManager upload = batch.newSubManager()) {
            NDArray b = staging.finish(upload, UPLOAD_SLOT, new Shape(missing.size(), n, d));
            for (int x = 0; x < missing.size(); x++) {
                // a copy: a slice would share the upload's storage (on the CPU, the staging buffer itself)
                NDArray bx = b.get(x).duplicate();
                // keys per memory, so that they do not depend on which others a batch uploads with it (to the bit)
                NDArray kx = cosineKeys ? ContinuousAttention.cosineKeys(math, bx) : null;
                long entryBytes = bx.size() * Float.BYTES + (kx == null ? 0 : kx.size() * Float.BYTES);
                boolean keep = makeRoom(entryBytes, read);
                bx.attach(keep ? mgr : batch);
                if (kx != null) kx.attach(keep ? mgr : batch);
                Memory m = new Memory(bx, kx);
                out[missing.get(x)] = m;
                if (keep) {
                    String key = memoryKeys.get(missing.get(x));
                    Entry e = new Entry(versions.get(missing.get(x)), key, m, entryBytes);
                    Entry older = key == null ? null : byKey.put(key, e);
                    if (older != null && !read.contains(older) && leastRecentFirst.remove(older)) release(older);
                    byVersion.put(versions.get(missing.get(x)), e);
                    leastRecentFirst.add(e);
                    read.add(e);
                    bytes += entryBytes;
                }
            }
        }
        return out;
    }

    /** Evicts the least recently read entries not in {@code read} until need more bytes fit; false if they do not. */
    private boolean makeRoom(long need, Set<Entry> read) {
        if (need > maxBytes) return false;
        Iterator<Entry> it = leastRecentFirst.iterator();
        while (bytes + need > maxBytes && it.hasNext()) {
            Entry e = it.next();
            if (read.contains(e)) return false; // the rest were read by this batch too (they are more recent)
            it.remove();
            release(e);
            evictions++;
        }
        return bytes + need <= maxBytes;
    }

    /** Drops the entries whose version is no longer reachable (the map has forgotten them already). */
    private void dropUnreachable() {
        Iterator<Entry> it = leastRecentFirst.iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.version.get() == null) {
                it.remove();
                release(e);
            }
        }
    }

    private void release(Entry e) {
        float[] v = e.version.get();
        if (v != null) byVersion.remove(v);
        if (e.key != null) byKey.remove(e.key, e);
        e.memory.b().close();
        if (e.memory.keys() != null) e.memory.keys().close();
        bytes -= e.bytes;
    }

    /**
     * The memories of G groups stacked on the device for batched matmuls: B [G, N, d] and the keys [G, C, d] (null
     * with raw keys), in {@code batch}. One group is a view; more are one device copy.
     */
    public static Memory stack(List<Memory> groups, NDManager batch) {
        boolean withKeys = groups.get(0).keys() != null;
        NDArray b, k = null;
        if (groups.size() == 1) {
            b = groups.get(0).b().expandDims(0);
            if (withKeys) k = groups.get(0).keys().expandDims(0);
        } else {
            NDList bs = new NDList(groups.size()), ks = new NDList(groups.size());
            for (Memory m : groups) {
                bs.add(m.b());
                if (withKeys) ks.add(m.keys());
            }
            b = NDArrays.stack(bs);
            if (withKeys) k = NDArrays.stack(ks);
        }
        b.attach(batch);
        if (k != null) k.attach(batch);
        return new Memory(b, k);
    }

    /** Bytes of the arrays held. */
    public long bytes() {
        return bytes;
    }

    public int size() {
        return leastRecentFirst.size();
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    public long evictions() {
        return evictions;
    }

    @Override
    public void close() {
        leastRecentFirst.clear();
        byVersion.clear();
        byKey.clear();
        bytes = 0;
        mgr.close();
    }

    @Override
    public String toString() {
        return "DeviceMemories{entries=" + size() + ", bytes=" + bytes + "/" + maxBytes + ", hits=" + hits + ", misses="
                + misses + ", evictions=" + evictions + "}";
    }
}
