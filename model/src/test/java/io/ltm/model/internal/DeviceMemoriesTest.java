package io.ltm.model.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The device memories: what is held for which version, within the byte bound, and when arrays are closed. */
class DeviceMemoriesTest {
    private static final int N = 32;
    private static final int D = 8;
    private static final double[] WIDTHS = {0.05, 0.1};
    /** B [N, d] and the cosine keys [N/S, d], float32. */
    private static final long ENTRY_BYTES = 4L * (N * D + N / WIDTHS.length * D);

    /** float32 matmuls on the device and on the host round differently. */
    private static final double KEY_TOL = 1e-5;

    private final Random rnd = new Random(3);
    private NDManager root;
    private DeviceMath math;

    @BeforeEach
    void start() {
        root = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        math = new DeviceMath(root, Basis.of(N, WIDTHS), 16, 16, 0.5, false);
    }

    @AfterEach
    void stop() {
        root.close();
    }

    private float[] version() {
        float[] b = new float[N * D];
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
        return b;
    }

    private static List<String> noKeys(int count) {
        return Arrays.asList(new String[count]);
    }

    @Test
    void holdsBAndItsNormalisedCentreKeysPerVersion() {
        float[] v = version();
        try (DeviceMemories held = new DeviceMemories(math, new Staging(), true, ENTRY_BYTES);
                NDManager batch = root.newSubManager()) {
            DeviceMemories.Memory m = held.of(List.of(v), noKeys(1), batch)[0];
            assertThat(m.b().toFloatArray()).isEqualTo(v);
            float[] keys = new MemoryKeys(math.basis(), true).rows(v, D); // the host's keys of a ready memory
            float[] onDevice = m.keys().toFloatArray();
            assertThat(onDevice).hasSameSizeAs(keys);
            for (int i = 0; i < keys.length; i++)
                assertThat((double) onDevice[i]).isCloseTo(keys[i], offset(KEY_TOL));
            assertThat(held.bytes()).isEqualTo(ENTRY_BYTES);
            // a second batch of the version uploads nothing and gets the same arrays
            assertThat(held.of(List.of(v), noKeys(1), batch)[0]).isSameAs(m);
            assertThat(held.hits()).isEqualTo(1);
            assertThat(held.misses()).isEqualTo(1);
        }
    }

    @Test
    void evictsTheLeastRecentlyReadOnceTheBytesExceedTheBoundAndClosesItsArrays() {
        float[] v1 = version(), v2 = version(), v3 = version();
        try (DeviceMemories held = new DeviceMemories(math, new Staging(), true, 2 * ENTRY_BYTES);
                NDManager batch = root.newSubManager()) {
            DeviceMemories.Memory m1 = held.of(List.of(v1), noKeys(1), batch)[0];
            DeviceMemories.Memory m2 = held.of(List.of(v2), noKeys(1), batch)[0];
            held.of(List.of(v1), noKeys(1), batch); // v1 read again: v2 is now the least recently read
            held.of(List.of(v3), noKeys(1), batch);
            assertThat(held.evictions()).isEqualTo(1);
            assertThat(held.size()).isEqualTo(2);
            assertThat(held.bytes()).isEqualTo(2 * ENTRY_BYTES);
            assertThat(m2.b().isReleased()).isTrue();
            assertThat(m2.keys().isReleased()).isTrue();
            assertThat(m1.b().isReleased()).isFalse();
            // read after its eviction, v2 is uploaded again, and right
            DeviceMemories.Memory again = held.of(List.of(v2), noKeys(1), batch)[0];
            assertThat(again.b().toFloatArray()).isEqualTo(v2);
            assertThat(held.misses()).isEqualTo(4);
            assertThat(m1.b().isReleased()).isTrue(); // v1 was the least recently read then
        }
    }

    @Test
    void aNewVersionOfAKeyReplacesTheOlderOne() {
        float[] v1 = version(), v2 = version();
        try (DeviceMemories held = new DeviceMemories(math, new Staging(), true, 10 * ENTRY_BYTES);
                NDManager batch = root.newSubManager()) {
            DeviceMemories.Memory old = held.of(List.of(v1), List.of("k"), batch)[0];
            DeviceMemories.Memory now = held.of(List.of(v2), List.of("k"), batch)[0];
            assertThat(old.b().isReleased()).isTrue();
            assertThat(now.b().toFloatArray()).isEqualTo(v2);
            assertThat(held.size()).isEqualTo(1);
            assertThat(held.bytes()).isEqualTo(ENTRY_BYTES);
            assertThat(held.evictions()).isZero();
        }
    }

    @Test
    void aBatchKeepsWhatItReadsAndWhatDoesNotFitLivesWithTheBatch() {
        float[] v1 = version(), v2 = version();
        try (DeviceMemories held = new DeviceMemories(math, new Staging(), false, ENTRY_BYTES)) {
            DeviceMemories.Memory[] ms;
            try (NDManager batch = root.newSubManager()) {
                ms = held.of(List.of(v1, v2), noKeys(2), batch);
                // v2 would only fit by evicting v1, which this batch reads: both stay valid for the batch
                assertThat(ms[0].b().toFloatArray()).isEqualTo(v1);
                assertThat(ms[1].b().toFloatArray()).isEqualTo(v2);
                assertThat(ms[0].keys()).isNull(); // raw keys: B's rows
                assertThat(held.size()).isEqualTo(1);
            }
            assertThat(ms[1].b().isReleased()).isTrue();
            assertThat(ms[0].b().isReleased()).isFalse();
        }
        assertThat(math.manager().isOpen()).isTrue();
    }

    @Test
    void aBoundOfZeroKeepsNothingAndCloseReleasesEverything() {
        float[] v = version();
        DeviceMemories.Memory kept;
        try (DeviceMemories none = new DeviceMemories(math, new Staging(), true, 0);
                NDManager batch = root.newSubManager()) {
            none.of(List.of(v), noKeys(1), batch);
            assertThat(none.size()).isZero();
            assertThat(none.bytes()).isZero();
        }
        DeviceMemories held = new DeviceMemories(math, new Staging(), true, ENTRY_BYTES);
        try (NDManager batch = root.newSubManager()) {
            kept = held.of(List.of(v), noKeys(1), batch)[0];
        }
        assertThat(kept.b().isReleased()).isFalse();
        held.close();
        assertThat(kept.b().isReleased()).isTrue();
        assertThat(kept.keys().isReleased()).isTrue();
        assertThatThrownBy(() -> new DeviceMemories(math, new Staging(), true, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deviceMemoryBytes");
    }
}
