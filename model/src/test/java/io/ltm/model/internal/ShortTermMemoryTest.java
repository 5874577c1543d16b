package io.ltm.model.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The host attention over the short-term buffer against the same formulas as DJL array operations (float32). */
class ShortTermMemoryTest {

    @Test
    void bothProductsOfARowInOnePassTakeTheBitsOfTwoDots() {
        Random rnd = new Random(9);
        for (int dim : new int[] {384, 13, 7}) {
            int rows = 5;
            float[] x = new float[rows * dim];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] q = new float[dim];
            for (int j = 0; j < dim; j++) q[j] = (float) rnd.nextGaussian();
            float[] out = new float[2];
            for (int i = 0; i < rows; i++) {
                ShortTermMemory.dotAndSquare(x, i * dim, q, dim, out);
                float[] row = Arrays.copyOfRange(x, i * dim, (i + 1) * dim);
                assertThat(Float.floatToRawIntBits(out[0]))
                        .isEqualTo(Float.floatToRawIntBits(HostZeroShot.dot(x, i * dim, q, dim)));
                assertThat(Float.floatToRawIntBits(out[1]))
                        .isEqualTo(Float.floatToRawIntBits(HostZeroShot.dot(row, 0, row, dim)));
            }
        }
    }

    @Test
    void theHostAttentionEqualsTheArrayFormulas() {
        Random rnd = new Random(5);
        int count = 37, dim = 24;
        float[] x = new float[count * dim];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] q = new float[dim];
        System.arraycopy(x, 11 * dim, q, 0, dim); // the query is token 11: it must get the most attention
        for (int j = 0; j < dim; j++) q[j] += 0.1f * (float) rnd.nextGaussian();
        for (boolean cosine : new boolean[] {true, false}) {
            double temperature = cosine ? 0.05 : 0.5;
            ShortTermMemory.Out host = ShortTermMemory.attend(x, count, dim, q, temperature, cosine, true);
            ShortTermMemory.Out noContext = ShortTermMemory.attend(x, count, dim, q, temperature, cosine, false);
            assertThat(noContext.context()).isNull();
            assertThat(noContext.weights()).isEqualTo(host.weights());
            assertThat(noContext.cosines()).isEqualTo(host.cosines());
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray xs = m.create(x, new Shape(count, dim));
                NDArray qq = m.create(q, new Shape(dim, 1));
                NDArray s = xs.matMul(qq).reshape(count);
                NDArray cos = s.div(xs.norm(new int[] {1}).mul(qq.norm()).maximum(1e-30f));
                NDArray w =
                        (cosine ? cos.mul(1.0 / temperature) : s.mul(1.0 / (Math.sqrt(dim) * temperature))).softmax(0);
                NDArray ctx = w.reshape(1, count).matMul(xs).reshape(dim);
                assertThat(maxDiff(host.cosines(), cos.toFloatArray())).isLessThan(1e-5);
                assertThat(maxDiff(host.weights(), w.toFloatArray())).isLessThan(1e-5);
                assertThat(maxDiff(host.context(), ctx.toFloatArray())).isLessThan(1e-5);
            }
            double sum = 0;
            int best = 0;
            for (int i = 0; i < count; i++) {
                sum += host.weights()[i];
                if (host.weights()[i] > host.weights()[best]) best = i;
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(best).isEqualTo(11);
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }
}
