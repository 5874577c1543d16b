package io.ltm.topology.bench;

import ai.djl.Device;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.TokenBatch;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The memory math alone on the node bench's workload, in the bench's own process: {@code keys} fresh memories of the
 * node's {@link MemoryConfig}, each absorbing {@code tokensPerKey} tokens in chunks of L through
 * {@link LongTermMemory#absorb} on the CPU (as a stream thread does), so the same contractions at the same stream
 * positions as the node's, three times over; the fastest repeat is the update rate of {@code bench math} for that
 * configuration, and what the node's per-thread ingest rate is compared with.
 */
final class UpdateRate {

    /** Chunks of random vectors cycled through: their content does not change the cost of a contraction. */
    private static final int DISTINCT_CHUNKS = 4;

    private static final int REPEATS = 3;

    private UpdateRate() {}

    static Map<String, Object> measure(MemoryConfig config, int keys, long tokensPerKey) {
        int l = config.contractionLength();
        int d = config.dim();
        SplittableRandom rnd = new SplittableRandom(11);
        float[][] chunks = new float[DISTINCT_CHUNKS][l * d];
        for (float[] c : chunks) {
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) rnd.nextGaussian();
            }
        }
        var threads = ManagementFactory.getThreadMXBean();
        try (LongTermMemory engine = LongTermMemory.create(config, Device.cpu())) {
            stream(engine, config, chunks, tokensPerKey); // warm-up: JIT and the engine's cached matrices
            // repeated, and the fastest repeat taken: one measurement moved by a factor of 1.8 between runs of the
            // node bench, and the fastest is the choice that can only make the node's ratio to it smaller
            double[] wall = new double[REPEATS], cpu = new double[REPEATS];
            long tokens = 0;
            int best = 0;
            for (int r = 0; r < REPEATS; r++) {
                long cpu0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                tokens = 0;
                for (int k = 0; k < keys; k++) {
                    tokens += stream(engine, config, chunks, tokensPerKey);
                }
                wall[r] = (System.nanoTime() - t0) / 1e9;
                cpu[r] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
                if (cpu[r] < cpu[best]) best = r;
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("keys", keys);
            r.put("tokensPerKey", tokensPerKey);
            r.put("tokens", tokens);
            r.put("repeats", REPEATS);
            r.put(
                    "cpuSecPerRepeat",
                    Arrays.stream(cpu).map(UpdateRate::round3).boxed().toList());
            r.put("wallSec", round3(wall[best]));
            r.put("cpuSec", round3(cpu[best]));
            r.put("tokensPerSec", Math.round(tokens / wall[best]));
            r.put("tokensPerCpuSec", Math.round(tokens / cpu[best]));
            return r;
        }
    }

    /**
     * One key's stream from an empty memory, with token texts as the node's bench events carry them (the term filter
     * indexes them: part of the update's own work); returns the tokens absorbed.
     */
    private static long stream(LongTermMemory engine, MemoryConfig config, float[][] chunks, long tokensPerKey) {
        int l = config.contractionLength();
        MemoryState s = MemoryState.empty(config);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(17);
        long done = 0;
        for (int i = 0; done < tokensPerKey; i++) {
            int n = (int) Math.min(l, tokensPerKey - done);
            float[] v = n == l ? chunks[i % chunks.length] : Arrays.copyOf(chunks[i % chunks.length], n * config.dim());
            java.util.List<String> texts = new java.util.ArrayList<>(n);
            for (int t = 0; t < n; t++) texts.add(NodeBench.word(rnd));
            s = engine.absorb(s, new TokenBatch(v, n, texts, null));
            done += n;
        }
        return done;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
