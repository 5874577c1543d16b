package io.ltm.model.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Baseline (b): a binary-sketch index. Each entry is the sign bits of an event's mean vector (d/8 bytes) and the
 * 8-byte first token of its range; an entry's range runs to the next entry's first token (the last one to the end of
 * the stream, one counter). When the budget is full, the two adjacent entries with the smallest Hamming distance are
 * merged into one that keeps the left entry's start, so its range covers both (ties: the pair covering fewer tokens);
 * where their bits differ the merged entry takes the bit of the entry covering more tokens. Answers with the k entries
 * of smallest Hamming distance to the query's sign bits; score = 1 − 2·hamming/d (an estimate of the cosine).
 */
final class SketchIndex implements Locator {
    private final int d;
    private final int words;
    private final int capacity;
    private final long[] bits;
    private final long[] start;
    private final int[] prev, next, version;
    private final int[] free;
    private int freeTop, head = -1, tail = -1, live;
    private long end;
    /** Candidate merges: {dist, width, leftStart, left, leftVersion, right, rightVersion}; stale ones are skipped. */
    private PriorityQueue<long[]> pairs = new PriorityQueue<>(SketchIndex::compare);

    SketchIndex(int d, long budgetBytes) {
        this.d = d;
        this.words = (d + 63) / 64;
        this.capacity = (int) Math.max(2, budgetBytes / (d / 8 + 8));
        int slots = capacity + 1;
        bits = new long[slots * words];
        start = new long[slots];
        prev = new int[slots];
        next = new int[slots];
        version = new int[slots];
        free = new int[slots];
        for (int i = 0; i < slots; i++) free[i] = slots - 1 - i;
        freeTop = slots;
    }

    int capacity() {
        return capacity;
    }

    private static int compare(long[] a, long[] b) {
        for (int i = 0; i < 3; i++) if (a[i] != b[i]) return Long.compare(a[i], b[i]);
        return 0;
    }

    @Override
    public String name() {
        return "binary-sketch";
    }

    @Override
    public void add(float[] tokens, int count, float[] mean, long s, long e) {
        int id = free[--freeTop];
        version[id]++;
        for (int w = 0; w < words; w++) bits[id * words + w] = 0;
        for (int j = 0; j < d; j++) if (mean[j] < 0) bits[id * words + (j >>> 6)] |= 1L << (j & 63);
        start[id] = s;
        end = Math.max(end, e);
        prev[id] = tail;
        next[id] = -1;
        if (tail >= 0) next[tail] = id;
        else head = id;
        tail = id;
        live++;
        if (prev[id] >= 0) push(prev[id], id);
        if (live > capacity) mergeBest();
        if (pairs.size() > 4 * capacity + 64) rebuild();
    }

    private long rangeEnd(int id) {
        return next[id] >= 0 ? start[next[id]] : end;
    }

    private int hamming(int a, int b) {
        int h = 0;
        for (int w = 0; w < words; w++) h += Long.bitCount(bits[a * words + w] ^ bits[b * words + w]);
        return h;
    }

    private void push(int a, int b) {
        pairs.add(new long[] {hamming(a, b), rangeEnd(b) - start[a], start[a], a, version[a], b, version[b]});
    }

    private void mergeBest() {
        while (true) {
            long[] p = pairs.poll();
            int a = (int) p[3], b = (int) p[5];
            if (version[a] != p[4] || version[b] != p[6] || next[a] != b) continue;
            boolean leftWider = start[b] - start[a] >= rangeEnd(b) - start[b];
            for (int w = 0; w < words; w++) {
                long x = bits[a * words + w], y = bits[b * words + w], diff = x ^ y;
                bits[a * words + w] = (x & ~diff) | ((leftWider ? x : y) & diff);
            }
            next[a] = next[b];
            if (next[b] >= 0) prev[next[b]] = a;
            else tail = a;
            version[a]++;
            version[b]++;
            free[freeTop++] = b;
            live--;
            if (prev[a] >= 0) push(prev[a], a);
            if (next[a] >= 0) push(a, next[a]);
            return;
        }
    }

    private void rebuild() {
        pairs = new PriorityQueue<>(SketchIndex::compare);
        for (int i = head; i >= 0 && next[i] >= 0; i = next[i]) push(i, next[i]);
    }

    @Override
    public List<Located> top(float[] q, int k) {
        long[] qb = new long[words];
        for (int j = 0; j < d; j++) if (q[j] < 0) qb[j >>> 6] |= 1L << (j & 63);
        Vectors.TopK top = new Vectors.TopK(k);
        for (int i = head; i >= 0; i = next[i]) {
            int h = 0;
            for (int w = 0; w < words; w++) h += Long.bitCount(bits[i * words + w] ^ qb[w]);
            top.offer(1 - 2.0 * h / d, i);
        }
        List<Located> out = new ArrayList<>();
        for (int i = 0; i < top.size; i++) out.add(new Located(start[top.id[i]], rangeEnd(top.id[i]), top.score[i]));
        return out;
    }

    @Override
    public long stateBytes() {
        return (long) live * (d / 8 + 8);
    }
}
