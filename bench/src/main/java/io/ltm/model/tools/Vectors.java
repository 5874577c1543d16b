package io.ltm.model.tools;

import io.ltm.model.internal.Half;
import java.util.ArrayList;
import java.util.List;

/** Small vector helpers of the benchmarks (float16 rows, cosines, top-k). */
final class Vectors {
    private Vectors() {}

    static void toHalf(float[] src, int srcOff, short[] dst, int dstOff, int d) {
        for (int j = 0; j < d; j++) dst[dstOff + j] = Half.fromFloat(src[srcOff + j]);
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }

    /** Cosine of the query (with its norm) and the float16 row at off; 0 for a zero row. */
    static double cosHalf(float[] q, double qNorm, short[] rows, int off, int d) {
        double ab = 0, bb = 0;
        for (int j = 0; j < d; j++) {
            float b = Half.toFloat(rows[off + j]);
            ab += q[j] * b;
            bb += b * b;
        }
        return bb == 0 || qNorm == 0 ? 0 : ab / (qNorm * Math.sqrt(bb));
    }

    /** Keeps the k largest scores with their ids (ties: the earlier id). */
    static final class TopK {
        final int k;
        final double[] score;
        final int[] id;
        int size;

        TopK(int k) {
            this.k = k;
            score = new double[k];
            id = new int[k];
        }

        void offer(double s, int i) {
            if (size == k && s <= score[size - 1]) return;
            int p = size < k ? size++ : size - 1;
            while (p > 0 && score[p - 1] < s) {
                score[p] = score[p - 1];
                id[p] = id[p - 1];
                p--;
            }
            score[p] = s;
            id[p] = i;
        }

        List<Integer> ids() {
            List<Integer> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) out.add(id[i]);
            return out;
        }
    }
}
