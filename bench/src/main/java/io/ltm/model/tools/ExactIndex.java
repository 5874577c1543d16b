package io.ltm.model.tools;

import java.util.Arrays;
import java.util.List;

/**
 * Baseline (d), the ceiling: every event's mean vector in float16 with its token range (two 8-byte offsets),
 * unbounded. Answers with the k most similar events by cosine (a full scan).
 */
final class ExactIndex implements Locator {
    private final int d;
    private short[] rows;
    private long[] starts;
    private long[] ends;
    private int size;

    ExactIndex(int d) {
        this.d = d;
        this.rows = new short[1024 * d];
        this.starts = new long[1024];
        this.ends = new long[1024];
    }

    @Override
    public String name() {
        return "exact-index";
    }

    @Override
    public void add(float[] tokens, int count, float[] mean, long start, long end) {
        if (size == starts.length) {
            int n = size * 2;
            rows = Arrays.copyOf(rows, n * d);
            starts = Arrays.copyOf(starts, n);
            ends = Arrays.copyOf(ends, n);
        }
        Vectors.toHalf(mean, 0, rows, size * d, d);
        starts[size] = start;
        ends[size] = end;
        size++;
    }

    @Override
    public List<Located> top(float[] q, int k) {
        return Locator.nearest(q, k, rows, size, d, starts, ends);
    }

    /** The k most similar events among those that overlap tokens [from, to) (events are in stream order). */
    List<Located> topWithin(float[] q, int k, long from, long to) {
        int[] r = within(from, to);
        return Locator.nearest(q, k, rows, r[0], r[1], d, starts, ends);
    }

    /** The events [first, last) that overlap tokens [from, to). */
    int[] within(long from, long to) {
        int lo = 0, hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= from) lo = mid + 1;
            else hi = mid;
        }
        int last = lo;
        while (last < size && starts[last] < to) last++;
        return new int[] {lo, last};
    }

    /** Event i's mean vector (as stored, float16) and token range. */
    float[] mean(int i) {
        float[] m = new float[d];
        for (int j = 0; j < d; j++) m[j] = io.ltm.model.internal.Half.toFloat(rows[i * d + j]);
        return m;
    }

    long start(int i) {
        return starts[i];
    }

    long end(int i) {
        return ends[i];
    }

    @Override
    public long stateBytes() {
        return (long) size * (2L * d + ReservoirSample.ENTRY_OVERHEAD);
    }
}
