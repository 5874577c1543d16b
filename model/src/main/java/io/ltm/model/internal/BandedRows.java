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

    private BandedRows(int cols, int[] lo, int[] hi, float[][] rows) {
        this.cols = cols;
        this.lo = lo;
        this.hi = hi;
        this.rows = rows;
    }

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

    /** out[j] = Σ_i w[i] M[i, j], in float; w has {@link #rows()} entries, out {@link #cols()} (overwritten). */
    void leftMultiply(float[] w, float[] out) {
        java.util.Arrays.fill(out, 0f);
        for (int i = 0; i < rows.length; i++) {
            float wi = w[i];
            if (wi == 0f) continue;
            float[] row = rows[i];
            for (int j = lo[i], e = hi[i]; j < e; j++) out[j] += wi * row[j];
        }
    }
}
