package io.ltm.model.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cosine keys of a memory against X̄(μ_i)/|X̄(μ_i)| summed over every basis function in float64: within float32's
 * rounding of unit vectors, on B whose rows alternate in sign and cancel, as ridge coefficients do.
 */
class MemoryKeysTest {

    @Test
    void keysAreTheNormalisedSignalAtTheCentresWithinFloatRounding() {
        for (double[] widths : new double[][] {{0.005, 0.01}, {0.01, 0.02, 0.05}}) {
            Basis basis = Basis.of(512, widths);
            int n = basis.size(), s = widths.length, c = n / s, d = 48;
            Random rnd = new Random(5);
            float[] b = new float[n * d];
            // large rows of alternating sign whose sum is small: the cancellation a ridge fit gives
            for (int k = 0; k < n; k++)
                for (int j = 0; j < d; j++) b[k * d + j] = (float) ((k % 2 == 0 ? 1000 : -1000) + rnd.nextGaussian());
            float[] keys = new MemoryKeys(basis, true).rows(b, d);
            double[] centres = new double[c];
            for (int i = 0; i < c; i++) centres[i] = basis.mu(i * s);
            double[] psi = basis.psi(centres);
            double worst = 0;
            for (int i = 0; i < c; i++) {
                double[] x = new double[d];
                for (int k = 0; k < n; k++) for (int j = 0; j < d; j++) x[j] += psi[i * n + k] * b[k * d + j];
                double norm = 0;
                for (double v : x) norm += v * v;
                norm = Math.sqrt(norm);
                for (int j = 0; j < d; j++) worst = Math.max(worst, Math.abs(keys[i * d + j] - x[j] / norm));
            }
            // float32 rounds a unit vector's entries to within 6e-8 (half an ulp below 1); the dropped terms add less
            assertThat(worst).as("widths %s", java.util.Arrays.toString(widths)).isLessThan(6e-8);
        }
    }
}
