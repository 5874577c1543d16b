package io.ltm.model.internal;

/**
 * A row-major [N, R] float matrix whose rows are zero outside one contiguous band (the bin masses of narrow Gaussian
 * basis functions), stored as the bands only; {@link #leftMultiply} computes aᵀM touching only the band of each row
 * whose weight is not zero. The sums are those of the dense product minus exact zeros.
 */
public final class BandedRows {
    private final int rows;
    private final int cols;
    private final int[] lo;
    private final int[] offset;
    private final int[] length;
    private final float[] values;

    private BandedRows(int rows, int cols, int[] lo, int[] offset, int[] length, float[] values) {
        this.rows = rows;
        this.cols = cols;
        this.lo = lo;
        this.offset = offset;
        this.length = length;
        this.values = values;
    }

    /** The band form of a dense row-major [rows, cols] matrix. */
    public static BandedRows of(float[] dense, int rows, int cols) {
        if (dense.length != rows * cols) throw new IllegalArgumentException("dense must be rows*cols");
        int[] lo = new int[rows], off = new int[rows], len = new int[rows];
        int total = 0;
        for (int i = 0; i < rows; i++) {
            int a = 0, b = cols;
            while (a < cols && dense[i * cols + a] == 0f) a++;
            while (b > a && dense[i * cols + b - 1] == 0f) b--;
            lo[i] = a;
            len[i] = b - a;
            off[i] = total;
            total += b - a;
        }
        float[] v = new float[total];
        for (int i = 0; i < rows; i++) System.arraycopy(dense, i * cols + lo[i], v, off[i], len[i]);
        return new BandedRows(rows, cols, lo, off, len, v);
    }

    public int rows() { return rows; }
    public int cols() { return cols; }
    /** Stored (band) entries. */
    public int stored() { return values.length; }

    /** out[j] = Σ_i w[i] M[i, j], in float; w has {@link #rows()} entries, out {@link #cols()} (overwritten). */
    public void leftMultiply(float[] w, float[] out) {
        java.util.Arrays.fill(out, 0f);
        for (int i = 0; i < rows; i++) {
            float wi = w[i];
            if (wi == 0f) continue;
            int o = lo[i], v = offset[i], n = length[i];
            for (int j = 0; j < n; j++) out[o + j] += wi * values[v + j];
        }
    }
}
