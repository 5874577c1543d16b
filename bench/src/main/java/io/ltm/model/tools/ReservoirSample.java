package io.ltm.model.tools;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Baseline (c): a uniform reservoir sample of events (Vitter's algorithm R, seeded): each kept event is its mean
 * vector in float16 (2·d bytes) and its token range (two 8-byte offsets), as many as fit in the byte budget. Answers
 * with the k kept events most similar to the query by cosine.
 */
final class ReservoirSample implements Locator {
    static final int ENTRY_OVERHEAD = 16;
    private final int d;
    private final int capacity;
    private final short[] rows;
    private final long[] starts;
    private final long[] ends;
    private final SplittableRandom random;
    private int size;
    private long events;

    ReservoirSample(int d, long budgetBytes, long seed) {
        this.d = d;
        this.capacity = (int) Math.max(1, budgetBytes / (2L * d + ENTRY_OVERHEAD));
        this.rows = new short[capacity * d];
        this.starts = new long[capacity];
        this.ends = new long[capacity];
        this.random = new SplittableRandom(seed);
    }

    int capacity() {
        return capacity;
    }

    @Override
    public String name() {
        return "reservoir";
    }

    @Override
    public void add(float[] tokens, int count, float[] mean, long start, long end) {
        events++;
        int slot;
        if (size < capacity) slot = size++;
        else {
            long r = random.nextLong(events);
            if (r >= capacity) return;
            slot = (int) r;
        }
        Vectors.toHalf(mean, 0, rows, slot * d, d);
        starts[slot] = start;
        ends[slot] = end;
    }

    @Override
    public List<Located> top(float[] q, int k) {
        return Locator.nearest(q, k, rows, size, d, starts, ends);
    }

    @Override
    public long stateBytes() {
        return (long) size * (2L * d + ENTRY_OVERHEAD);
    }
}
