package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The GPU gives the CPU's results as closely as float32 allows: the same stream absorbed and read on both devices.
 *
 * <p>How closely is measured, not assumed: the update refits B by a ridge regression whose conditioning amplifies
 * rounding, so the CPU itself, given the same tokens perturbed by one float32 rounding (relative 2⁻²³), moves B by
 * 8.7e-5 after one contraction and 7.2e-4 after four, and a sharp read's context by 4.7e-3 to 7.5e-3 (measured
 * 2026-12-04 on two CPUs, one of them beside an H200, whose GPU differed from it by as much). Any two float32
 * implementations differ by that much; a wrong kernel, a lost precision (float16, TF32) or a device bug differs by
 * far more. So the GPU must stay within {@link #ENVELOPE} times the CPU's own perturbed difference at every
 * contraction and for the context.
 *
 * <p>Runs where PyTorch sees a GPU; skipped on CPU-only machines such as CI.
 */
class DeviceParityTest {
    /** Float32 rounding of one input value: the perturbation whose effect bounds the GPU's difference. */
    private static final double ONE_ROUNDING = 0x1p-23;
    /** How many times the CPU's own rounding sensitivity the GPU may differ (rounding differs at every operation). */
    private static final double ENVELOPE = 4;

    private static final int CONTRACTIONS = 4;

    @Test
    void absorbAndReadAgreeOnCpuAndGpu() {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() > 0, "no GPU visible to PyTorch");
        MemoryConfig cfg = MemoryConfig.builder().dim(64).build();
        Random rnd = new Random(3);
        float[][] batches = new float[CONTRACTIONS][];
        float[][] perturbed = new float[CONTRACTIONS][];
        for (int i = 0; i < CONTRACTIONS; i++) {
            batches[i] = MathPropertiesTest.randn(cfg.contractionLength() * 64, rnd);
            perturbed[i] = batches[i].clone();
            for (int j = 0; j < perturbed[i].length; j++)
                perturbed[i][j] *= (float) (1 + ONE_ROUNDING * (2 * rnd.nextDouble() - 1));
        }
        float[] query = MathPropertiesTest.randn(4 * 64, rnd);
        Run cpu = run(cfg, Device.cpu(), batches, query);
        Run cpuPerturbed = run(cfg, Device.cpu(), perturbed, query);
        Run gpu = run(cfg, Device.gpu(), batches, query);
        double[] gpuB = new double[CONTRACTIONS];
        double[] roundingB = new double[CONTRACTIONS];
        for (int i = 0; i < CONTRACTIONS; i++) {
            gpuB[i] = relativeError(gpu.coefficients[i], cpu.coefficients[i]);
            roundingB[i] = relativeError(cpuPerturbed.coefficients[i], cpu.coefficients[i]);
        }
        double gpuContext = relativeError(gpu.context, cpu.context);
        double roundingContext = relativeError(cpuPerturbed.context, cpu.context);
        System.out.printf(
                "GPU vs CPU (relative): B after each contraction %s, context %.3g; CPU with its input rounded once: %s,"
                        + " %.3g%n",
                Arrays.toString(gpuB), gpuContext, Arrays.toString(roundingB), roundingContext);
        for (int i = 0; i < CONTRACTIONS; i++) {
            assertThat(roundingB[i]).isPositive(); // the perturbation reached B: the envelope is a measurement
            assertThat(gpuB[i]).isLessThan(ENVELOPE * roundingB[i]);
        }
        assertThat(gpuContext).isLessThan(ENVELOPE * roundingContext);
    }

    private record Run(float[][] coefficients, float[] context) {}

    private static Run run(MemoryConfig cfg, Device device, float[][] batches, float[] query) {
        ReadOptions opts = new ReadOptions(2, true, true, AttentionHeadKind.ZERO_SHOT);
        try (LongTermMemory ltm = LongTermMemory.create(cfg, device)) {
            ltm.setHostReads(false); // the same DJL read on both devices (ReadyMemoryTest compares the host read)
            MemoryState s = MemoryState.empty(cfg);
            float[][] coefficients = new float[batches.length][];
            for (int i = 0; i < batches.length; i++) {
                s = ltm.absorb(s, new TokenBatch(batches[i], cfg.contractionLength(), null, null));
                coefficients[i] = s.coefficients();
            }
            return new Run(coefficients, ltm.read(s, query, 4, opts).context());
        }
    }

    private static double relativeError(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += b[i] * (double) b[i];
        }
        return Math.sqrt(num / den);
    }
}
