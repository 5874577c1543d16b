package io.ltm.model.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadRequest;
import io.ltm.model.TokenBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Benchmark of the memory math (prints one JSON object). For N = L = M = 512 and each d (default 384 and 768):
 * update throughput in tokens/s through {@link LongTermMemory#absorb} (uniform and sticky sampling, including the
 * float[]↔NDArray copies), zero-shot read latency per query (single, and batched by 64 through readBatch), and, in the
 * same run, the throughput of a plain DJL matmul chain with the floating-point work of the official update
 * (X_old = Ψ(s)·B, then B' = G_infᵀ·[X_old; X], 2·d·N·(2M+L) flops, no copies); ratio = ours / plain.
 * Each figure is the median of {@code --repeats} timed runs of {@code --iters} iterations after a warm-up.
 *
 * <p>Usage: {@code MathBench [--dims 384,768] [--iters 20] [--repeats 5]}
 */
public final class MathBench {
    private MathBench() {}

    public static void main(String... args) throws Exception {
        int[] dims = {384, 768};
        int iters = 20, repeats = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dims" -> dims = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("N", 512); out.put("L", 512); out.put("M", 512);
        out.put("device", LongTermMemory.defaultDevice().toString());
        out.put("cpus", Runtime.getRuntime().availableProcessors());
        out.put("iters", iters); out.put("repeats", repeats);
        out.put("torch_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        ArrayNode res = out.putArray("results");
        for (int d : dims) res.add(benchDim(json, d, iters, repeats));
        System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(out));
    }

    static ObjectNode benchDim(ObjectMapper json, int d, int iters, int repeats) {
        ObjectNode o = json.createObjectNode();
        o.put("d", d);
        int l = 512, m = 512, n = 512;
        Random rng = new Random(1);
        float[][] batches = new float[4][];
        for (int i = 0; i < batches.length; i++) batches[i] = randn(l * d, rng);
        double officialFlops = 2.0 * d * n * (m + m + l);
        MemoryConfig ucfg = MemoryConfig.builder().dim(d).sticky(false).build();
        MemoryConfig scfg = MemoryConfig.builder().dim(d).sticky(true).build();
        double[] hist = new double[scfg.stickyBins()];
        for (int i = 0; i < hist.length; i++) hist[i] = rng.nextDouble() * (i % 7 == 0 ? 5 : 1);
        ReadOptions opts = new ReadOptions(2, true, false, io.ltm.model.AttentionHeadKind.ZERO_SHOT);
        ReadOptions withStm = new ReadOptions(2, true, true, io.ltm.model.AttentionHeadKind.ZERO_SHOT);
        float[] q = randn(d, rng);
        int singles = iters * 5;
        double[][] t = new double[8][repeats];   // per repeat: uniform, sticky, chain, single, read1, read64, readStm, ratio
        try (LongTermMemory u = LongTermMemory.create(ucfg); LongTermMemory st = LongTermMemory.create(scfg);
             NDManager mg = NDManager.newBaseManager(LongTermMemory.defaultDevice(), "PyTorch")) {
            MemoryState us0 = u.absorb(MemoryState.empty(ucfg), new TokenBatch(batches[0], l, null, null));
            MemoryState ss0 = st.absorb(MemoryState.empty(scfg), new TokenBatch(batches[0], l, null, null));
            MemoryState rs = u.absorb(us0, new TokenBatch(Arrays.copyOf(batches[1], 256 * d), 256, null, null));
            List<ReadRequest> reqs = new ArrayList<>();
            for (int i = 0; i < 64; i++) reqs.add(new ReadRequest(rs, randn(d, rng), 1, opts));
            NDArray psi = mg.create(randn(m * n, rng), new Shape(m, n));
            NDArray gT = mg.create(randn(n * (m + l), rng), new Shape(n, m + l));
            NDArray b0 = mg.create(randn(n * d, rng), new Shape(n, d));
            NDArray x = mg.create(randn(l * d, rng), new Shape(l, d));
            MemoryState us = us0, ss = ss0;
            for (int w = 0; w < 3; w++) {           // warm-up
                us = step(u, us, batches, w, false, hist);
                ss = step(st, ss, batches, w, true, hist);
                chain(mg, psi, gT, b0, x);
                u.read(rs, q, 1, opts);
                u.readBatch(reqs);
            }
            for (int r = 0; r < repeats; r++) {
                // update figures interleaved step by step (uniform, sticky, plain chain), so that load from other
                // processes hits all three alike
                long tu = 0, ts = 0, tc = 0;
                for (int i = 0; i < iters; i++) {
                    long a0 = System.nanoTime();
                    us = step(u, us, batches, i, false, hist);
                    long a1 = System.nanoTime();
                    ss = step(st, ss, batches, i, true, hist);
                    long a2 = System.nanoTime();
                    chain(mg, psi, gT, b0, x);
                    long a3 = System.nanoTime();
                    tu += a1 - a0; ts += a2 - a1; tc += a3 - a2;
                }
                long t3 = System.nanoTime();
                for (int i = 0; i < singles; i++) u.read(rs, q, 1, opts);
                long t4 = System.nanoTime();
                int reps = Math.max(2, iters / 4);
                for (int i = 0; i < reps; i++) u.readBatch(reqs);
                long t5 = System.nanoTime();
                for (int i = 0; i < singles; i++) u.read(rs, q, 1, withStm);
                long t6 = System.nanoTime();
                t[0][r] = l * iters / (tu / 1e9);
                t[1][r] = l * iters / (ts / 1e9);
                t[2][r] = l * iters / (tc / 1e9);
                t[3][r] = t[0][r] / t[2][r];
                t[4][r] = (t4 - t3) / 1e3 / singles;
                t[5][r] = (t5 - t4) / 1e3 / (reps * 64.0);
                t[6][r] = (t6 - t5) / 1e3 / singles;
                t[7][r] = t[1][r] / t[2][r];
            }
        }
        o.put("update_uniform_tokens_per_s", med(t[0]));
        o.put("update_sticky_tokens_per_s", med(t[1]));
        o.put("plain_chain_official_work_tokens_per_s", med(t[2]));
        o.put("plain_chain_gflops", med(t[2]) / l * officialFlops / 1e9);
        o.put("ratio_update_uniform_vs_plain_chain", med(t[3]));
        o.put("ratio_update_sticky_vs_plain_chain", med(t[7]));
        o.put("read_zero_shot_single_us_per_query", med(t[4]));
        o.put("read_zero_shot_batch64_us_per_query", med(t[5]));
        o.put("read_zero_shot_single_with_256_short_term_us_per_query", med(t[6]));
        o.put("note", "medians over repeats; update, sticky update and plain chain interleaved step by step (ratios per repeat); "
                + "update = absorb() of 512-token batches incl. float[]<->NDArray copies; uniform update = one "
                + "[N,N+L]x[N+L,d] matmul; sticky = one-hot bins path; plain chain = the official update's two matmuls "
                + "(Psi(s)B, G_inf^T[X_old;X]) on resident arrays, result copied out");
        return o;
    }

    private static double med(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static MemoryState step(LongTermMemory ltm, MemoryState s, float[][] batches, int i, boolean sticky, double[] hist) {
        if (sticky) s = s.withStickyHistogram(hist);
        return ltm.absorb(s, new TokenBatch(batches[i % batches.length], 512, null, null));
    }

    private static void chain(NDManager mg, NDArray psi, NDArray gT, NDArray b, NDArray x) {
        try (NDManager s = mg.newSubManager()) {
            NDArray xs = s.from(x);
            NDArray old = psi.matMul(b);
            old.attach(s);
            NDArray cat = old.concat(xs, 0);
            NDArray r = gT.matMul(cat);
            r.attach(s);
            r.toFloatArray();
        }
    }

    private static void single(NDManager mg, NDArray u, NDArray b, NDArray x) {
        try (NDManager s = mg.newSubManager()) {
            NDArray cat = b.concat(x, 0);
            cat.attach(s);
            NDArray r = u.matMul(cat);
            r.attach(s);
            r.toFloatArray();
        }
    }

    interface Timed { double run(); }

    private static double median(int repeats, Timed t) {
        double[] v = new double[repeats];
        for (int i = 0; i < repeats; i++) v[i] = t.run();
        Arrays.sort(v);
        return v[repeats / 2];
    }

    private static float[] randn(int n, Random rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
