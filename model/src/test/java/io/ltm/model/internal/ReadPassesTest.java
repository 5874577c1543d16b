package io.ltm.model.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The host read's two passes that add several rows per pass over their output (the profile and histogram over the
 * bin-mass tables, {@link BandedRows#leftMultiply}; the content under the spans and the context over B,
 * {@link HostZeroShot#weightedRows}) give the same bits as adding one row at a time in order, as they did before: a
 * read's spans, histogram and scores do not move with how the passes are grouped.
 */
class ReadPassesTest {
    private static final int N = 512;
    private static final double[] WIDTHS = {0.005, 0.01};

    @Test
    void theProfileAndHistogramPassesGiveTheBitsOfOneRowAtATime() {
        Basis basis = Basis.of(N, WIDTHS);
        Random rnd = new Random(7);
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                DeviceMath math = new DeviceMath(root, basis, 16, 16, 0.5, false)) {
            int bins = math.profileBins();
            float[] profile = math.profileBinMass().toFloatArray();
            float[] sticky = math.basisBinMass(128).toFloatArray();
            // as the read uses them: folded over the two widths of a centre (256 rows); unfolded (512); 510 rows
            // leave a tail that is not a whole group of four
            check(rnd, profile, N, bins, 2);
            check(rnd, sticky, N, 128, 2);
            check(rnd, profile, N, bins, 1);
            check(rnd, Arrays.copyOf(profile, 510 * bins), 510, bins, 1);
        }
    }

    /** The table [rows, cols] folded by {@code fold} (as the read folds the widths of a centre), 20 weight vectors. */
    private static void check(Random rnd, float[] dense, int rows, int cols, int fold) {
        BandedRows m = BandedRows.of(dense, rows, cols).foldRows(fold);
        // the oracle: the folded rows summed as foldRows sums them, then one whole row at a time (a row adds exactly
        // 0 outside its band)
        float[][] folded = new float[rows / fold][cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) folded[i / fold][j] += dense[i * cols + j];
        for (int trial = 0; trial < 20; trial++) {
            float[] w = attention(rnd, m.rows(), trial);
            float[] out = new float[m.cols()];
            m.leftMultiply(w, out);
            float[] expected = new float[cols];
            for (int i = 0; i < folded.length; i++) {
                if (w[i] == 0f) continue;
                for (int j = 0; j < cols; j++) expected[j] += w[i] * folded[i][j];
            }
            assertThat(bits(out)).isEqualTo(bits(expected));
        }
    }

    @Test
    void theContentUnderTheSpansGivesTheBitsOfOneRowAtATime() {
        Basis basis = Basis.of(N, WIDTHS);
        ExpectedPsi psi = new ExpectedPsi(basis);
        Random rnd = new Random(11);
        int d = 384;
        for (int n : new int[] {N, 510}) {
            float[] b = new float[n * d];
            // a ridge fit's coefficients alternate in sign and cancel: rounding differs with the order of the sums
            for (int i = 0; i < b.length; i++) b[i] = (float) (rnd.nextGaussian() * (1 + 100 * rnd.nextDouble()));
            for (int trial = 0; trial < 20; trial++) {
                int queries = 1 + rnd.nextInt(4);
                float[][][] r = new float[queries][][];
                for (int x = 0; x < queries; x++) {
                    int spans = rnd.nextInt(4);
                    r[x] = new float[1 + spans][];
                    // the context when the read asks for it (a wide Gaussian), else null; then narrow spans
                    r[x][0] = rnd.nextBoolean() ? Arrays.copyOf(psi.expected(rnd.nextDouble(), 0.05), n) : null;
                    for (int k = 1; k <= spans; k++)
                        r[x][k] = Arrays.copyOf(psi.expected(rnd.nextDouble(), 1e-5 + 1e-3 * rnd.nextDouble()), n);
                }
                float[][][] acc = HostZeroShot.weightedRows(b, n, d, r);
                for (int x = 0; x < queries; x++) {
                    for (int o = 0; o < r[x].length; o++) {
                        float[] expected = new float[d];
                        if (r[x][o] != null)
                            for (int k = 0; k < n; k++) {
                                float w = r[x][o][k];
                                if (w == 0f) continue;
                                for (int j = 0; j < d; j++) expected[j] += w * b[k * d + j];
                            }
                        assertThat(bits(acc[x][o])).isEqualTo(bits(expected));
                    }
                }
            }
        }
    }

    /**
     * Softmax-like weights over the rows: all positive, or (odd trials) with runs of exact zeros, whole groups of four
     * among them, as attention that underflows far from its peak gives.
     */
    private static float[] attention(Random rnd, int rows, int trial) {
        float[] w = new float[rows];
        double peak = rnd.nextDouble();
        for (int i = 0; i < rows; i++) {
            double z = (i / (double) rows - peak) / (0.01 + 0.3 * rnd.nextDouble());
            w[i] = (float) Math.exp(-0.5 * z * z + rnd.nextGaussian());
            if (trial % 2 == 1 && (Math.abs(z) > 3 || rnd.nextInt(7) == 0)) w[i] = 0f;
        }
        return w;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
