package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.ltm.model.internal.DeviceMemories;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batched device reads with the memories held on the device ({@link DeviceMemories}) give the reads that upload every
 * memory each batch, whatever the bound evicts; reads grouped unevenly by memory give the single reads.
 */
class DeviceReadsTest {
    /** float32 products of other shapes (batched or single) round differently (as in ReadyMemoryTest). */
    private static final double BATCH_SHAPE_TOL = 1e-4;
    /** Reads of the uneven batch: above the device read's threshold for spreading host work over the cores. */
    private static final int SKEWED_READS = 70;

    private static List<ReadRequest> requests(
            MemoryConfig cfg, List<MemoryState> memories, int[] memoryOf, Random rng) {
        List<ReadRequest> reqs = new ArrayList<>();
        for (int i = 0; i < memoryOf.length; i++) {
            reqs.add(new ReadRequest(
                    "key" + memoryOf[i],
                    memories.get(memoryOf[i]),
                    MathPropertiesTest.randn(cfg.dim(), rng),
                    1,
                    new ReadOptions(1 + i % 3, true, true, AttentionHeadKind.ZERO_SHOT)));
        }
        return reqs;
    }

    @Test
    void readsWithTheMemoriesHeldOnTheDeviceEqualReadsThatUploadThemEachBatch() {
        for (MemoryConfig cfg : List.of(
                EngineTest.small(true),
                EngineTest.small(false).toBuilder().cosineKeys(false).build())) {
            Random rng = new Random(21);
            try (LongTermMemory held = LongTermMemory.create(cfg, Device.cpu());
                    LongTermMemory uploading = LongTermMemory.create(cfg, Device.cpu());
                    LongTermMemory tight = LongTermMemory.create(cfg, Device.cpu())) {
                held.setHostReads(false);
                uploading.setHostReads(false);
                uploading.setDeviceMemoryBytes(0);
                tight.setHostReads(false);
                List<MemoryState> memories =
                        List.of(grown(held, cfg, 2, rng), grown(held, cfg, 3, rng), grown(held, cfg, 1, rng));
                List<ReadRequest> reqs = requests(cfg, memories, new int[] {0, 1, 2, 0, 1, 2, 0}, rng);
                held.readBatch(reqs); // uploads the three memories
                List<ReadResult> expected = uploading.readBatch(reqs);
                for (int pass = 0; pass < 2; pass++) {
                    assertSameReads(held.readBatch(reqs), expected);
                }
                assertThat(held.deviceMemories().misses()).isEqualTo(3);
                assertThat(held.deviceMemories().hits()).isEqualTo(6);
                assertThat(uploading.deviceMemories().size()).isZero();
                // a bound of one memory: every batch evicts, and what it reads beyond the bound lives with it
                tight.readBatch(reqs.subList(0, 1));
                long one = tight.deviceMemories().bytes();
                tight.setDeviceMemoryBytes(one);
                List<ReadResult> first = uploading.readBatch(reqs.subList(1, 2));
                List<ReadResult> second = uploading.readBatch(reqs.subList(2, 3));
                for (int pass = 0; pass < 2; pass++) {
                    assertSameReads(tight.readBatch(reqs), expected);
                    assertSameReads(tight.readBatch(reqs.subList(1, 2)), first);
                    assertSameReads(tight.readBatch(reqs.subList(2, 3)), second);
                }
                assertThat(tight.deviceMemories().bytes()).isEqualTo(one);
                assertThat(tight.deviceMemories().evictions()).isPositive();
            }
        }
    }

    @Test
    void readsOfAMemoryThatHasMostOfTheBatchGiveTheSingleReads() {
        // 66 of 70 reads read one memory, 2 each the two others: slots for 66 reads of every memory would be more
        // than twice the reads, so the reads go in groups of 24 (the first memory in 3 groups, the last partly empty);
        // 70 reads also spread their host work over the cores
        MemoryConfig cfg = EngineTest.small(true);
        Random rng = new Random(22);
        try (LongTermMemory dev = LongTermMemory.create(cfg, Device.cpu())) {
            dev.setHostReads(false);
            List<MemoryState> memories =
                    List.of(grown(dev, cfg, 2, rng), grown(dev, cfg, 3, rng), grown(dev, cfg, 1, rng));
            int[] memoryOf = new int[SKEWED_READS];
            memoryOf[SKEWED_READS / 3] = 1;
            memoryOf[SKEWED_READS / 2] = 2;
            memoryOf[SKEWED_READS - 2] = 1;
            memoryOf[SKEWED_READS - 1] = 2;
            List<ReadRequest> reqs = requests(cfg, memories, memoryOf, rng);
            List<ReadResult> batch = dev.readBatch(reqs);
            double[] batchError = new double[reqs.size()];
            double worstSingle = 0;
            for (int i = 0; i < reqs.size(); i++) {
                ReadResult single = dev.readBatch(List.of(reqs.get(i))).get(0);
                double[] w = ReadyMemoryTest.compare(batch.get(i), single);
                assertThat(w[0]).isLessThan(BATCH_SHAPE_TOL); // spans
                assertThat(w[3]).isLessThan(BATCH_SHAPE_TOL); // their scores
                assertThat(w[2]).isLessThan(BATCH_SHAPE_TOL); // histogram
                double[] f64 = ReadyMemoryTest.contextF64(
                        cfg, reqs.get(i).state(), reqs.get(i).query(), 1);
                batchError[i] = relativeError(batch.get(i).context(), f64);
                worstSingle = Math.max(worstSingle, relativeError(single.context(), f64));
            }
            // the contexts of sharply peaked reads (T = 0.002) round by about 1e-4 in either shape (the single reads'
            // as much as the batch's): each batched context must be within twice the single reads' worst error of the
            // float64 context (a read given another's memory or query is off by its whole size)
            for (double e : batchError) assertThat(e).isLessThan(Math.max(ReadyMemoryTest.TOL, 2 * worstSingle));
            assertThat(batch.get(0).context()).isNotEqualTo(batch.get(1).context()); // one memory, two queries
        }
    }

    /** Largest difference to the float64 vector, relative to its largest entry. */
    private static double relativeError(float[] v, double[] f64) {
        double scale = 0, err = 0;
        for (double x : f64) scale = Math.max(scale, Math.abs(x));
        for (int x = 0; x < f64.length; x++) err = Math.max(err, Math.abs(v[x] - f64[x]));
        return err / scale;
    }

    /** The same spans, context and histogram, to the bit (the same operations on the same shapes). */
    private static void assertSameReads(List<ReadResult> actual, List<ReadResult> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i).spans())
                    .isNotEmpty()
                    .isEqualTo(expected.get(i).spans());
            assertThat(actual.get(i).context())
                    .isNotNull()
                    .isEqualTo(expected.get(i).context());
            assertThat(actual.get(i).attentionHistogram())
                    .isEqualTo(expected.get(i).attentionHistogram());
        }
    }

    private static MemoryState grown(LongTermMemory ltm, MemoryConfig cfg, int contractions, Random rng) {
        return ReadyMemoryTest.grown(ltm, cfg, contractions, cfg.contractionLength(), rng);
    }
}
