package io.ltm.model.tools;

import io.ltm.model.internal.Half;
import java.util.ArrayList;
import java.util.List;

/**
 * Extra baseline, the discrete analogue of the memory's uniform retention: the stream cut into consecutive windows of
 * about w tokens, each kept as the mean of its token vectors in float16 (2·d bytes) plus its 8-byte first token (a
 * window runs to the next one's start), as many as fit in the byte budget. Events go into the open (last) window until
 * it holds w tokens, then a new window opens; when the budget is full every two adjacent windows are merged into one
 * (token-weighted mean) and w doubles, so all windows cover w to 2w tokens and w ≈ n/C (C = capacity), as the memory's
 * basis covers n/(N/S) tokens per centre. The open window is accumulated in float32 (4·d more bytes, counted). Token
 * counts for the weighting are derived from the offsets. Answers with the k windows most similar to the query by cosine.
 */
final class PooledMeans implements Locator {
    private final int d;
    private final int capacity;
    private final short[] rows;
    private final long[] starts;
    private final float[] open;
    private final float[] tmp;
    private int size;
    private long end;
    private long width = 1;

    PooledMeans(int d, long budgetBytes) {
        this.d = d;
        this.capacity = (int) Math.max(2, (budgetBytes - 4L * d) / (2L * d + 8));
        this.rows = new short[capacity * d];
        this.starts = new long[capacity];
        this.open = new float[d];
        this.tmp = new float[d];
    }

    int capacity() {
        return capacity;
    }

    /** Target tokens per window (doubles at every merge). */
    long windowWidth() {
        return width;
    }

    @Override
    public String name() {
        return "pooled-means";
    }

    private long endOf(int i) {
        return i + 1 < size ? starts[i + 1] : end;
    }

    /** Windows held (the open one included). */
    int size() {
        return size;
    }

    long windowStart(int i) {
        return starts[i];
    }

    long windowEnd(int i) {
        return endOf(i);
    }

    /** The mean vector of window i (the open window exactly, the others decoded from float16). */
    float[] windowMean(int i) {
        float[] m = new float[d];
        if (i == size - 1) {
            double n = Math.max(1, end - starts[i]);
            for (int j = 0; j < d; j++) m[j] = (float) (open[j] / n);
        } else {
            for (int j = 0; j < d; j++) m[j] = Half.toFloat(rows[i * d + j]);
        }
        return m;
    }

    @Override
    public void add(float[] tokens, int count, float[] mean, long start, long e) {
        if (size == 0 || end - starts[size - 1] >= width) {
            if (size > 0) closeOpen();
            if (size == capacity) halve();
            starts[size++] = start;
            java.util.Arrays.fill(open, 0f);
        }
        for (int j = 0; j < d; j++) open[j] += mean[j] * count;
        end = Math.max(end, e);
    }

    /** Stores the open window's mean in float16. */
    private void closeOpen() {
        int i = size - 1;
        Vectors.toHalf(windowMean(i), 0, rows, i * d, d);
    }

    /** Merges windows (0,1), (2,3), ... into one each, token-weighted; the target width doubles. */
    private void halve() {
        int out = 0;
        for (int i = 0; i < size; i += 2) {
            if (i + 1 < size) {
                double wa = endOf(i) - starts[i], wb = endOf(i + 1) - starts[i + 1], w = Math.max(1, wa + wb);
                for (int j = 0; j < d; j++) {
                    tmp[j] = (float) ((wa * Half.toFloat(rows[i * d + j]) + wb * Half.toFloat(rows[(i + 1) * d + j]))
                            / w);
                }
            } else {
                for (int j = 0; j < d; j++) tmp[j] = Half.toFloat(rows[i * d + j]);
            }
            long s = starts[i];
            Vectors.toHalf(tmp, 0, rows, out * d, d);
            starts[out++] = s;
        }
        size = out;
        width *= 2;
    }

    @Override
    public List<Located> top(float[] q, int k) {
        double qn = Vectors.norm(q);
        Vectors.TopK top = new Vectors.TopK(k);
        short[] last = new short[d];
        for (int i = 0; i < size; i++) {
            if (i == size - 1) {
                Vectors.toHalf(windowMean(i), 0, last, 0, d);
                top.offer(Vectors.cosHalf(q, qn, last, 0, d), i);
            } else {
                top.offer(Vectors.cosHalf(q, qn, rows, i * d, d), i);
            }
        }
        List<Located> out = new ArrayList<>();
        for (int i = 0; i < top.size; i++) out.add(new Located(starts[top.id[i]], endOf(top.id[i]), top.score[i]));
        return out;
    }

    @Override
    public long stateBytes() {
        return (long) size * (2L * d + 8) + 4L * d;
    }
}
