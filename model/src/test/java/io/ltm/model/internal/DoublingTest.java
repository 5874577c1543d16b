package io.ltm.model.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ltm.model.MemoryConfig;
import io.ltm.model.RetentionPolicy;
import io.ltm.model.Timeline;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DoublingTest {
    private static final int N = 96;
    private static final int L = 64;
    private static final int M = 80;
    private static final double LAMBDA = 0.5;
    private static final Basis BASIS = Basis.of(N, 0.005, 0.01);

    /** Â⁻¹ (L/2M) Ψ(u)ᵀ and its product with Ψ at the midpoints, in plain float64 loops. */
    private static double[][] operators() {
        double[] inverse = RidgeSolver.uniformGramInverse(BASIS, L, LAMBDA);
        double[] u = new double[M], mid = new double[M];
        for (int j = 0; j < M; j++) {
            u[j] = (j + 0.5) / (2.0 * M);
            mid[j] = (j + 0.5) / M;
        }
        double[] psiU = BASIS.psi(u), psiMid = BASIS.psi(mid); // [M, N]
        double[] refit = new double[N * M];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < M; j++) {
                double acc = 0;
                for (int k = 0; k < N; k++) acc += inverse[i * N + k] * psiU[j * N + k];
                refit[i * M + j] = acc * L / (2.0 * M);
            }
        double[] midpoints = new double[N * N];
        for (int i = 0; i < N; i++)
            for (int n = 0; n < N; n++) {
                double acc = 0;
                for (int j = 0; j < M; j++) acc += refit[i * M + j] * psiMid[j * N + n];
                midpoints[i * N + n] = acc;
            }
        return new double[][] {refit, midpoints};
    }

    private static double worstRelative(float[] actual, double[] expected) {
        double scale = 0, worst = 0;
        for (double v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        return worst / scale;
    }

    @Test
    void theDoublingOperatorsAreTheRefitOfTheHalvedAxisToFloatPrecision() {
        double[][] expected = operators();
        RidgeSolver.Doubling d = RidgeSolver.doubling(BASIS, L, M, LAMBDA);
        assertThat(d.refit()).hasSize(N * M);
        assertThat(d.midpoints()).hasSize(N * N);
        assertThat(worstRelative(d.refit(), expected[0])).isLessThan(1e-6);
        assertThat(worstRelative(d.midpoints(), expected[1])).isLessThan(1e-6);
    }

    @Test
    void aDoublingReadAtTheMidpointsGivesTheSameBWithOrWithoutSampling() {
        MemoryConfig cfg = MemoryConfig.builder()
                .dim(12)
                .basisSize(N)
                .widths(0.005, 0.01)
                .contractionLength(L)
                .samples(M)
                .ridgePenalty(LAMBDA)
                .retention(RetentionPolicy.UNIFORM)
                .sticky(true)
                .firstEpoch(1) // the second contraction doubles
                .build();
        Random rng = new Random(3);
        float[] x = new float[L * cfg.dim()];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                DeviceMath math = new DeviceMath(m, BASIS, L, M, LAMBDA, false)) {
            UniformRetention retention = new UniformRetention(cfg, math);
            NDArray xs = m.create(x, new Shape(L, cfg.dim()));
            Retention.Step first = retention.contract(null, xs, 0, Timeline.empty(), null, 0);
            // a flat read histogram puts the samples at the midpoints too, through Ψ(s)·B and the refit
            double[] flat = new double[cfg.stickyBins()];
            Arrays.fill(flat, 1.0);
            float[] sampled = retention
                    .contract(first.coefficients(), xs, L, first.timeline(), flat, 1)
                    .coefficients()
                    .toFloatArray();
            float[] direct = retention
                    .contract(first.coefficients(), xs, L, first.timeline(), null, 1)
                    .coefficients()
                    .toFloatArray();
            double scale = 0, worst = 0;
            for (int i = 0; i < direct.length; i++) {
                scale = Math.max(scale, Math.abs(direct[i]));
                worst = Math.max(worst, Math.abs(direct[i] - sampled[i]));
            }
            assertThat(scale).isGreaterThan(0);
            assertThat(worst / scale).isLessThan(1e-5);
        }
    }
}
