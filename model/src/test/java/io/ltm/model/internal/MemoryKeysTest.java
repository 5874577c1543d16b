package io.ltm.model.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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

    /**
     * Past a young memory's content X̄ fades to 1e-25 and less, whose float32 squares underflow: the device's keys are
     * still the host's unit vectors (a norm that underflowed to 0 made them 1e5 long, and cosines of 1e7).
     */
    @Test
    void theDevicesKeysOfAFaintSignalAreUnitVectorsAsTheHostsAre() {
        Basis basis = Basis.of(128, new double[] {0.005, 0.01});
        int n = basis.size(), c = n / 2, d = 16;
        Random rnd = new Random(9);
        float[] b = new float[n * d];
        for (int i = 0; i < b.length; i++) b[i] = (float) (1e-25 * rnd.nextGaussian());
        float[] host = new MemoryKeys(basis, true).rows(b, d);
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                DeviceMath math = new DeviceMath(m, basis, 64, 64, 0.5, false)) {
            float[] dev = ContinuousAttention.cosineKeys(math, m.create(b, new Shape(n, d)))
                    .toFloatArray();
            double worst = 0;
            for (int i = 0; i < c * d; i++) worst = Math.max(worst, Math.abs(dev[i] - host[i]));
            for (int i = 0; i < c; i++) {
                double norm = 0;
                for (int j = 0; j < d; j++) norm += host[i * d + j] * (double) host[i * d + j];
                assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
            }
            assertThat(worst).isLessThan(1e-5);
        }
    }
}
