package io.ltm.model.internal;

/**
 * A row-major [N, R] float matrix whose rows are zero outside one contiguous band (the bin masses of narrow Gaussian
 * basis functions); {@link #leftMultiply} computes aᵀM over the band of each row whose weight is not zero. Rows are
 * kept whole, one array each, and indexed like the output, so that the JIT vectorises the loop (with a band offset
 * between the two arrays, JDK 17's C2 does not). The sums are those of the dense product minus exact zeros.
 */
final class BandedRows {
    private final int cols;
    private final int[] lo;
    private final int[] hi;
    private final float[][] rows;
    /** The union of the bands of rows 4g … 4g + 3 (see {@link #leftMultiply}). */
    private final int[] groupLo;

    private final int[] groupHi;

    private BandedRows(int cols, int[] lo, int[] hi, float[][] rows) {
        this.cols = cols;
        this.lo = lo;
        this.hi = hi;
        this.rows = rows;
        int groups = rows.length / GROUP;
        this.groupLo = new int[groups];
        this.groupHi = new int[groups];
        for (int g = 0; g < groups; g++) {
            groupLo[g] = cols;
            for (int i = g * GROUP; i < (g + 1) * GROUP; i++) {
                if (lo[i] >= hi[i]) continue;
                groupLo[g] = Math.min(groupLo[g], lo[i]);
                groupHi[g] = Math.max(groupHi[g], hi[i]);
            }
            if (groupLo[g] > groupHi[g]) groupLo[g] = groupHi[g];
        }
    }

    /** Rows added per pass over the output. */
    private static final int GROUP = 4;

    /** The band form of a dense row-major [rows, cols] matrix. */
    static BandedRows of(float[] dense, int rows, int cols) {
        if (dense.length != rows * cols) throw new IllegalArgumentException("dense must be rows*cols");
        int[] lo = new int[rows], hi = new int[rows];
        float[][] r = new float[rows][];
        for (int i = 0; i < rows; i++) {
            int a = 0, b = cols;
            while (a < cols && dense[i * cols + a] == 0f) a++;
            while (b > a && dense[i * cols + b - 1] == 0f) b--;
            lo[i] = a;
            hi[i] = b;
            r[i] = java.util.Arrays.copyOfRange(dense, i * cols, (i + 1) * cols);
        }
        return new BandedRows(cols, lo, hi, r);
    }

    /** The matrix whose row i is the sum of rows i·group … i·group + group − 1 of this one (float sums). */
    BandedRows foldRows(int group) {
        if (group == 1) return this;
        if (rows.length % group != 0) throw new IllegalArgumentException("rows not divisible by " + group);
        int m = rows.length / group;
        int[] l = new int[m], h = new int[m];
        float[][] r = new float[m][cols];
        for (int i = 0; i < m; i++) {
            l[i] = cols;
            for (int g = 0; g < group; g++) {
                int src = i * group + g;
                if (lo[src] >= hi[src]) continue;
                l[i] = Math.min(l[i], lo[src]);
                h[i] = Math.max(h[i], hi[src]);
                for (int j = 0; j < cols; j++) r[i][j] += rows[src][j];
            }
            if (l[i] > h[i]) l[i] = h[i];
        }
        return new BandedRows(cols, l, h, r);
    }

    int rows() {
        return rows.length;
    }

    int cols() {
        return cols;
    }
    /** Entries inside the bands. */
    int stored() {
        int s = 0;
        for (int i = 0; i < rows.length; i++) s += hi[i] - lo[i];
        return s;
    }

    /**
     * out[j] = Σ_i w[i] M[i, j], in float, i in increasing order; w has {@link #rows()} entries, out {@link #cols()}
     * (overwritten). Four rows per pass over the union of their bands: one load and store of out per four products
     * (the store, not the arithmetic, bounds an axpy; consecutive bands overlap, so one row's stores fed the next
     * row's loads). Each out[j] still adds the rows one at a time in order, and a row contributes exactly +0 outside
     * its band and when its weight is 0 (weights and masses are not negative): the same bits as one row per pass.
     */
    void leftMultiply(float[] w, float[] out) {
        java.util.Arrays.fill(out, 0f);
        int i = 0;
        for (int g = 0; g < groupLo.length; g++, i += GROUP) {
            float w0 = w[i], w1 = w[i + 1], w2 = w[i + 2], w3 = w[i + 3];
            if (w0 == 0f && w1 == 0f && w2 == 0f && w3 == 0f) continue;
            float[] r0 = rows[i], r1 = rows[i + 1], r2 = rows[i + 2], r3 = rows[i + 3];
            for (int j = groupLo[g], e = groupHi[g]; j < e; j++)
                out[j] = (((out[j] + w0 * r0[j]) + w1 * r1[j]) + w2 * r2[j]) + w3 * r3[j];
        }
        for (; i < rows.length; i++) {
            float wi = w[i];
            if (wi == 0f) continue;
            float[] row = rows[i];
            for (int j = lo[i], e = hi[i]; j < e; j++) out[j] += wi * row[j];
        }
    }
}
