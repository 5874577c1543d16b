package io.ltm.topology.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadRequest;
import io.ltm.model.TokenBatch;
import io.ltm.model.TokenSource;

/**
 * {@code ./ltm bench attention [--dim D] [--keys K] [--chunk C]}: batched zero-shot reads across keys, as the
 * attention worker does them, for batches of 1, 16, 256 and 4096 queries, on the engine's device; and in the
 * same run a plain batched matmul chain with the same floating-point work (scores B q and context Bᵀ a per
 * query). Batches above C requests are split into engine calls of C (the worker's max.poll.records bounds a
 * batch the same way), since each request carries its own N x d snapshot.
 */
public final class AttentionBench {

    private AttentionBench() {
    }

    public static void main(String... args) {
        int dim = intArg(args, "--dim", 384);
        int keys = intArg(args, "--keys", 64);
        int chunk = intArg(args, "--chunk", 512);
        MemoryConfig cfg = MemoryConfig.builder().dim(dim).build();
        Random rnd = new Random(1);
        StringBuilder json = new StringBuilder();
        try (LongTermMemory engine = LongTermMemory.create(cfg)) {
            List<MemoryState> states = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                MemoryState s = MemoryState.empty(cfg);
                for (int c = 0; c < 2; c++) {
                    int l = cfg.contractionLength();
                    s = engine.absorb(s, new TokenBatch(randomVectors(rnd, l, dim), l, null,
                            new TokenSource("bench", 0, c, 0, null)));
                }
                states.add(s);
            }
            json.append(String.format(Locale.ROOT, "{\"benchmark\":\"attention\",\"device\":\"%s\",\"N\":%d,\"d\":%d,"
                    + "\"distinctKeys\":%d,\"chunk\":%d,\"batches\":[", engine.device(), cfg.basisSize(), dim, keys, chunk));
            int[] sizes = {1, 16, 256, 4096};
            for (int bi = 0; bi < sizes.length; bi++) {
                int batch = sizes[bi];
                List<ReadRequest> reqs = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    reqs.add(new ReadRequest(states.get(i % keys), randomVectors(rnd, 8, dim), 8,
                            new ReadOptions(1, false, false, io.ltm.model.AttentionHeadKind.ZERO_SHOT)));
                }
                double ours = time(() -> {
                    for (int from = 0; from < batch; from += chunk) {
                        engine.readBatch(reqs.subList(from, Math.min(batch, from + chunk)));
                    }
                });
                double plain = plainMatmul(engine, cfg, batch, chunk, rnd);
                json.append(bi == 0 ? "" : ",").append(String.format(Locale.ROOT,
                        "{\"batch\":%d,\"latencyMs\":%.3f,\"queriesPerSec\":%.0f,\"plainMatmulLatencyMs\":%.3f,"
                                + "\"plainMatmulQueriesPerSec\":%.0f,\"ratioToPlain\":%.3f}",
                        batch, ours * 1e3, batch / ours, plain * 1e3, batch / plain, plain / ours));
            }
        }
        json.append("]}");
        System.out.println(json);
    }

    /** The same floating-point work as the zero-shot reads: per query a [N,d]x[d] and a [d,N]x[N] product. */
    private static double plainMatmul(LongTermMemory engine, MemoryConfig cfg, int batch, int chunk, Random rnd) {
        int n = cfg.basisSize();
        int d = cfg.dim();
        try (NDManager m = NDManager.newBaseManager(engine.device())) {
            int c = Math.min(batch, chunk);
            NDArray b = m.randomNormal(new Shape(c, n, d));
            NDArray q = m.randomNormal(new Shape(c, d, 1));
            return time(() -> {
                for (int from = 0; from < batch; from += c) {
                    try (NDArray scores = b.batchMatMul(q);                         // [c, N, 1]
                         NDArray a = scores.softmax(1);
                         NDArray bt = b.transpose(0, 2, 1);
                         NDArray ctx = bt.batchMatMul(a)) {                              // [c, d, 1]
                        ctx.toFloatArray(); // bring the result back, as the reads do
                    }
                }
            });
        }
    }

    /** Seconds per run: two warm-up runs, then the mean of at least 3 runs and 1 s. */
    private static double time(Runnable r) {
        r.run();
        r.run();
        int runs = 0;
        long start = System.nanoTime();
        while (runs < 3 || System.nanoTime() - start < 1_000_000_000L) {
            r.run();
            runs++;
        }
        return (System.nanoTime() - start) / 1e9 / runs;
    }

    private static float[] randomVectors(Random rnd, int count, int dim) {
        float[] v = new float[count * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return dflt;
    }
}
