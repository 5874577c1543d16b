package io.ltm.model.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * The bin-mass tables the reads use (profile and sticky histogram): each entry is the Gaussian's mass in its bin, and
 * 0 exactly where that mass is below 2⁻²⁴ of its row's largest, so that a row's band ends about 5.8 σ out.
 */
class BinMassTablesTest {
    private static final int N = 512;
    private static final double[] WIDTHS = {0.005, 0.01};

    @Test
    void massesBelowFloatResolutionOfTheirRowAreZeroAndTheRestAreTheGaussiansMass() {
        Basis basis = Basis.of(N, WIDTHS);
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                DeviceMath math = new DeviceMath(root, basis, 16, 16, 0.5, false)) {
            int bins = math.profileBins();
            check(basis, math.profileBinMass().toFloatArray(), bins, RidgeSolver.linspace(0, 1, bins + 1));
            check(basis, math.basisBinMass(128).toFloatArray(), 128, DeviceMath.stickyEdges(128));
        }
    }

    private static void check(Basis basis, float[] table, int bins, double[] edges) {
        int widest = 0;
        for (int n = 0; n < N; n++) {
            double[] exact = new double[bins];
            double max = 0;
            for (int j = 0; j < bins; j++) {
                exact[j] = mass(basis.mu(n), basis.sigma(n), edges[j], edges[j + 1]);
                max = Math.max(max, exact[j]);
            }
            int first = -1, last = -1;
            for (int j = 0; j < bins; j++) {
                float v = table[n * bins + j];
                if (exact[j] < 0.99 * 0x1p-24 * max)
                    assertThat(v).as("row %d bin %d", n, j).isZero();
                else if (exact[j] > 1.01 * 0x1p-24 * max)
                    assertThat((double) v).as("row %d bin %d", n, j).isCloseTo(exact[j], offset(1e-6 * max));
                if (v != 0f) {
                    if (first < 0) first = j;
                    last = j;
                }
            }
            // the kept band of a row: ±5.8 σ of its Gaussian (its mass there is 2⁻²⁴ of the peak), plus a bin each side
            double halfWidth = 5.8 * basis.sigma(n) * bins + 1;
            assertThat((double) (last - first + 1)).as("row %d", n).isLessThanOrEqualTo(2 * halfWidth + 1);
            widest = Math.max(widest, last - first + 1);
        }
        assertThat(widest).isGreaterThan(0);
    }

    /** The mass of N(mu, sd²) in [a, b): Simpson's rule on 64 intervals (relative error far below 1e-6, tails too). */
    private static double mass(double mu, double sd, double a, double b) {
        int m = 64;
        double h = (b - a) / m, sum = 0;
        for (int i = 0; i <= m; i++) {
            double z = (a + i * h - mu) / sd;
            double f = Math.exp(-0.5 * z * z);
            sum += f * (i == 0 || i == m ? 1 : i % 2 == 1 ? 4 : 2);
        }
        return sum * h / 3 / (sd * Math.sqrt(2 * Math.PI));
    }
}
