package io.ltm.model.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * Baseline (a): the most recent tokens, as many float16 token vectors as fit in the byte budget (2·d bytes each; the
 * token index is implicit, one counter for the ring). Answers with the k most similar tokens by cosine, each a range of
 * one token.
 */
final class RecentTokens implements Locator {
    private final int d;
    private final int capacity;
    private final short[] rows;
    private long seen;

    RecentTokens(int d, long budgetBytes) {
        this.d = d;
        this.capacity = (int) Math.max(1, budgetBytes / (2L * d));
        this.rows = new short[capacity * d];
    }

    int capacity() {
        return capacity;
    }

    @Override
    public String name() {
        return "recent-tokens";
    }

    @Override
    public void add(float[] tokens, int count, float[] mean, long start, long end) {
        for (int i = 0; i < count; i++) {
            Vectors.toHalf(tokens, i * d, rows, (int) ((start + i) % capacity) * d, d);
        }
        seen = Math.max(seen, start + count);
    }

    /** Tokens still held: [seen - held, seen). */
    private int held() {
        return (int) Math.min(seen, capacity);
    }

    @Override
    public List<Located> top(float[] q, int k) {
        double qn = Vectors.norm(q);
        Vectors.TopK top = new Vectors.TopK(k);
        for (long t = seen - held(); t < seen; t++) {
            top.offer(Vectors.cosHalf(q, qn, rows, (int) (t % capacity) * d, d), (int) (t - (seen - held())));
        }
        List<Located> out = new ArrayList<>();
        for (int i = 0; i < top.size; i++) {
            long t = seen - held() + top.id[i];
            out.add(new Located(t, t + 1, top.score[i]));
        }
        return out;
    }

    @Override
    public long stateBytes() {
        return 2L * d * held();
    }
}
