package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The GPU gives the CPU's results within float tolerance: the same stream absorbed and read on both devices.
 * Runs where PyTorch sees a GPU (a machine built with {@code -Pcuda}); skipped on CPU-only machines such as CI.
 */
class DeviceParityTest {

    @Test
    void absorbAndReadAgreeOnCpuAndGpu() {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() > 0, "no GPU visible to PyTorch");
        MemoryConfig cfg = MemoryConfig.builder().dim(64).build();
        Random rnd = new Random(3);
        float[][] batches = new float[4][];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = MathPropertiesTest.randn(cfg.contractionLength() * 64, rnd);
        }
        float[] query = MathPropertiesTest.randn(4 * 64, rnd);
        ReadOptions opts = new ReadOptions(2, true, true, AttentionHeadKind.ZERO_SHOT);
        float[][] coefficients = new float[2][];
        float[][] contexts = new float[2][];
        List<Device> devices = List.of(Device.cpu(), Device.gpu());
        for (int d = 0; d < 2; d++) {
            try (LongTermMemory ltm = LongTermMemory.create(cfg, devices.get(d))) {
                ltm.setHostReads(false); // the same DJL read on both devices (ReadyMemoryTest compares the host read)
                MemoryState s = MemoryState.empty(cfg);
                for (float[] b : batches) {
                    s = ltm.absorb(s, new TokenBatch(b, cfg.contractionLength(), null, null));
                }
                coefficients[d] = s.coefficients();
                contexts[d] = ltm.read(s, query, 4, opts).context();
            }
        }
        assertThat(relativeError(coefficients[1], coefficients[0])).isLessThan(1e-4);
        assertThat(relativeError(contexts[1], contexts[0])).isLessThan(1e-4);
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
