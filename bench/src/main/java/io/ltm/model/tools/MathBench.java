package io.ltm.model.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.bench.Machine;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryEngine;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadRequest;
import io.ltm.model.ReadyMemory;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.model.RetentionPolicy;
import io.ltm.model.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Benchmark of the memory math (prints one JSON object). For N = L = M = 512 and each d (default 384 and 768):
 * update throughput in tokens/s through {@link LongTermMemory#absorb} (uniform and sticky sampling, including the
 * float[]↔NDArray copies), zero-shot read latency per query (single, and batched by 64 through readBatch; and, under
 * "read_ready", the reads from ready memories: see {@link #readBench}), and, in the
 * same run, the throughput of a plain DJL matmul chain with the floating-point work of the official update
 * (X_old = Ψ(s)·B, then B' = G_infᵀ·[X_old; X], 2·d·N·(2M+L) flops, no copies); ratio = ours / plain.
 * Each figure is the median of {@code --repeats} timed runs of {@code --iters} iterations after a warm-up.
 *
 * <p>Usage: {@code MathBench [--dims 384,768] [--iters 20] [--repeats 5]}
 */
public final class MathBench {
    /** Chunks of 512 tokens absorbed before the "after 1M tokens" figure of uniform retention. */
    private static final int GROWN_CHUNKS = 2048;

    private MathBench() {}

    public static void main(String... args) throws Exception {
        int[] dims = {384, 768};
        int iters = 20, repeats = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dims" ->
                    dims = Arrays.stream(args[++i].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("N", 512);
        out.put("L", 512);
        out.put("M", 512);
        out.put("device", MemoryEngine.defaultDevice().toString());
        out.put("cpus", Runtime.getRuntime().availableProcessors());
        out.put("iters", iters);
        out.put("repeats", repeats);
        out.put("torch_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        out.put("cpu_model", Machine.cpuModel());
        out.put("load_average_at_start", Machine.loadAverage());
        double bandwidth = copyBandwidth(repeats);
        out.put("copy_bandwidth_bytes_per_s", bandwidth);
        out.put(
                "copy_bandwidth_note",
                "System.arraycopy of a 256 MiB float array (beyond every cache), bytes copied per "
                        + "second (each byte read once and written once), median of repeats");
        ArrayNode res = out.putArray("results");
        for (int d : dims) res.add(benchDim(json, d, iters, repeats, bandwidth));
        out.put("load_average_at_end", Machine.loadAverage());
        System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(out));
    }

    static ObjectNode benchDim(ObjectMapper json, int d, int iters, int repeats, double bandwidth) {
        ObjectNode o = json.createObjectNode();
        o.put("d", d);
        int l = 512, m = 512, n = 512;
        Random rng = new Random(1);
        float[][] batches = new float[4][];
        for (int i = 0; i < batches.length; i++) batches[i] = randn(l * d, rng);
        double officialFlops = 2.0 * d * n * (m + m + l);
        // the paper's update (recency retention) with uniform and with sticky samples, and uniform retention (the
        // default) early in a stream (the first epoch's deltas, then doublings and chunks that touch a large share of
        // the basis) and after a million tokens
        MemoryConfig ucfg = MemoryConfig.builder()
                .dim(d)
                .sticky(false)
                .retention(RetentionPolicy.RECENCY)
                .build();
        MemoryConfig scfg = MemoryConfig.builder()
                .dim(d)
                .sticky(true)
                .retention(RetentionPolicy.RECENCY)
                .build();
        MemoryConfig rcfg = MemoryConfig.builder()
                .dim(d)
                .sticky(true)
                .retention(RetentionPolicy.UNIFORM)
                .build();
        double[] hist = new double[scfg.stickyBins()];
        for (int i = 0; i < hist.length; i++) hist[i] = rng.nextDouble() * (i % 7 == 0 ? 5 : 1);
        ReadOptions opts = new ReadOptions(2, true, false, io.ltm.model.AttentionHeadKind.ZERO_SHOT);
        ReadOptions withStm = new ReadOptions(2, true, true, io.ltm.model.AttentionHeadKind.ZERO_SHOT);
        float[] q = randn(d, rng);
        int singles = iters * 5;
        double[][] t =
                new double[10][repeats]; // per repeat: uniform, sticky, chain, single, read1, read64, readStm, ratio
        try (LongTermMemory u = LongTermMemory.create(ucfg);
                LongTermMemory st = LongTermMemory.create(scfg);
                LongTermMemory ret = LongTermMemory.create(rcfg);
                NDManager mg = NDManager.newBaseManager(MemoryEngine.defaultDevice(), "PyTorch")) {
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
            MemoryState early = ret.absorb(MemoryState.empty(rcfg), new TokenBatch(batches[0], l, null, null));
            MemoryState late = early;
            for (int i = 1; i < GROWN_CHUNKS; i++)
                late = ret.absorb(late, new TokenBatch(batches[i % batches.length], l, null, null));
            for (int w = 0; w < 3; w++) { // warm-up
                us = step(u, us, batches, w, false, hist);
                ss = step(st, ss, batches, w, true, hist);
                chain(mg, psi, gT, b0, x);
                u.read(rs, q, 1, opts);
                u.readBatch(reqs);
            }
            for (int r = 0; r < repeats; r++) {
                // update figures interleaved step by step (uniform, sticky, plain chain), so that load from other
                // processes hits all three alike
                long tu = 0, ts = 0, tc = 0, te = 0, tl = 0;
                for (int i = 0; i < iters; i++) {
                    long a0 = System.nanoTime();
                    us = step(u, us, batches, i, false, hist);
                    long a1 = System.nanoTime();
                    ss = step(st, ss, batches, i, true, hist);
                    long a2 = System.nanoTime();
                    chain(mg, psi, gT, b0, x);
                    long a3 = System.nanoTime();
                    early = step(ret, early, batches, i, true, hist);
                    long a4 = System.nanoTime();
                    late = step(ret, late, batches, i, true, hist);
                    long a5 = System.nanoTime();
                    tu += a1 - a0;
                    ts += a2 - a1;
                    tc += a3 - a2;
                    te += a4 - a3;
                    tl += a5 - a4;
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
                t[8][r] = l * iters / (te / 1e9);
                t[9][r] = l * iters / (tl / 1e9);
            }
        }
        o.put("update_uniform_tokens_per_s", med(t[0]));
        o.put("update_sticky_tokens_per_s", med(t[1]));
        o.put("update_uniform_retention_first_tokens_per_s", med(t[8]));
        o.put("update_uniform_retention_after_1m_tokens_per_s", med(t[9]));
        o.put("ratio_update_uniform_retention_after_1m_vs_plain_chain", med(t[9]) / med(t[2]));
        o.put("plain_chain_official_work_tokens_per_s", med(t[2]));
        o.put("plain_chain_gflops", med(t[2]) / l * officialFlops / 1e9);
        o.put("ratio_update_uniform_vs_plain_chain", med(t[3]));
        o.put("ratio_update_sticky_vs_plain_chain", med(t[7]));
        o.put("read_zero_shot_single_us_per_query", med(t[4]));
        o.put("read_zero_shot_batch64_us_per_query", med(t[5]));
        o.put("read_zero_shot_single_with_256_short_term_us_per_query", med(t[6]));
        readBench(o, d, iters, repeats, bandwidth, rng);
        o.put(
                "note",
                "medians over repeats; every update path and the plain chain interleaved step by step (ratios per "
                        + "repeat); update = absorb() of 512-token batches incl. float[]<->NDArray copies; update_uniform and "
                        + "update_sticky = the paper's update (recency retention) with uniform samples (one [N,N+L]x[N+L,d] "
                        + "matmul) and sticky samples (one-hot bins path); uniform_retention = the default policy with sticky "
                        + "reads, from the first contraction on (the first epoch's deltas, then doublings and chunks "
                        + "touching a large share of the basis) and from a "
                        + "state of " + GROWN_CHUNKS * 512
                        + " tokens on (chunks touching a band of the basis); plain chain = "
                        + "the official update's two matmuls (Psi(s)B, G_inf^T[X_old;X]) on resident arrays, result copied out");
        return o;
    }

    /**
     * The read figures: the ready memory (built once per version), a single read with it, the old per-query device
     * read, reads batched across 64 distinct keys with their ready memories cached, the bytes of the per-key arrays a
     * read touches and the bound that the copy bandwidth sets, and what the alternatives cost: storing the keys in the
     * state (float16, decoded per read) and decoding the whole state per read (what the node does today).
     */
    static void readBench(ObjectNode o, int d, int iters, int repeats, double bandwidth, Random rng) {
        int l = 512, keys = 64;
        MemoryConfig cfg = MemoryConfig.builder().dim(d).sticky(true).build();
        ReadOptions opts = new ReadOptions(2, true, false, io.ltm.model.AttentionHeadKind.ZERO_SHOT);
        int singles = iters * 20;
        double[][] t = new double[9][repeats], cpu = new double[9][repeats];
        double[] bw = new double[repeats], ratio = new double[repeats];
        long touched;
        try (LongTermMemory ltm = LongTermMemory.create(cfg);
                LongTermMemory dev = LongTermMemory.create(cfg)) {
            dev.setHostReads(false);
            ltm.setReadyCache(new ReadyMemoryCache(Long.MAX_VALUE));
            List<MemoryState> states = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                MemoryState s = ltm.absorb(MemoryState.empty(cfg), new TokenBatch(randn(l * d, rng), l, null, null));
                states.add(ltm.absorb(s, new TokenBatch(randn(l * d, rng), l, null, null)));
            }
            MemoryState one = states.get(0);
            float[] q = randn(d, rng);
            List<ReadRequest> reqs = new ArrayList<>();
            for (int k = 0; k < keys; k++) reqs.add(new ReadRequest("key" + k, states.get(k), randn(d, rng), 1, opts));
            ReadyMemory ready = ltm.ready(one);
            touched = ready.bytes();
            long touchedBytes = touched;
            byte[] stored = io.ltm.topology.codec.MemoryStateCodec.toBytes(one, cfg);
            io.ltm.schemas.MemoryState storedAvro = io.ltm.topology.codec.MemoryStateCodec.toAvro(one, cfg);
            ReadyMemoryCache cache = ltm.readyCache();
            cache.get("decoded", io.ltm.topology.codec.MemoryStateCodec.fromAvro(storedAvro, cfg), ltm::ready);
            float[][] keysT = ready.keysTransposedRef();
            float[] flatKeys = new float[ready.keyCount() * d];
            for (int i = 0; i < ready.keyCount(); i++) for (int j = 0; j < d; j++) flatKeys[i * d + j] = keysT[j][i];
            io.ltm.schemas.VectorBlock keyBlock =
                    io.ltm.topology.codec.MemoryStateCodec.block(flatKeys, ready.keyCount(), d, cfg.precision());
            for (int w = 0; w < 3; w++) {
                ltm.ready(one);
                for (int i = 0; i < singles; i++) ltm.read("one", one, q, 1, opts);
                ltm.readBatch(reqs);
                dev.read(one, q, 1, opts);
                io.ltm.topology.codec.MemoryStateCodec.fromBytes(stored, cfg);
                io.ltm.topology.codec.MemoryStateCodec.unblock(keyBlock, ready.keyCount(), d);
            }
            int reps = Math.max(2, iters / 2);
            MemoryState st = one;
            Runnable[] work = {
                () -> {
                    for (int i = 0; i < iters; i++) ltm.ready(st);
                },
                () -> {
                    for (int i = 0; i < singles; i++) ltm.read("one", st, q, 1, opts);
                },
                () -> {
                    for (int i = 0; i < reps; i++) ltm.readBatch(reqs);
                },
                () -> {
                    for (int i = 0; i < iters; i++) dev.read(st, q, 1, opts);
                },
                () -> {
                    for (int i = 0; i < iters; i++) ltm.read(st, q, 1, opts);
                },
                () -> {
                    for (int i = 0; i < iters; i++)
                        io.ltm.topology.codec.MemoryStateCodec.unblock(keyBlock, ready.keyCount(), d);
                },
                () -> {
                    for (int i = 0; i < iters; i++) io.ltm.topology.codec.MemoryStateCodec.fromBytes(stored, cfg);
                },
                () -> {
                    for (int i = 0; i < iters; i++) io.ltm.topology.codec.MemoryStateCodec.fromAvro(storedAvro, cfg);
                },
                () -> {
                    for (int i = 0; i < iters; i++)
                        io.ltm.topology.codec.MemoryStateCodec.fromAvro(
                                storedAvro,
                                cfg,
                                cache.find("decoded", io.ltm.topology.codec.MemoryStateCodec.version(storedAvro))
                                        .coefficientLog());
                }
            };
            double[] per = {iters, singles, reps * (double) keys, iters, iters, iters, iters, iters, iters};
            float[] big = new float[16 << 20], big2 = new float[16 << 20];
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int r = 0; r < repeats; r++) {
                for (int w = 0; w < work.length; w++) {
                    long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                    work[w].run();
                    t[w][r] = (System.nanoTime() - t0) / 1e3 / per[w];
                    cpu[w][r] = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / per[w];
                    if (w == 2) { // the copy bandwidth right after the batched reads, under the same load
                        long b0 = System.nanoTime();
                        for (int i = 0; i < 4; i++) System.arraycopy(big, 0, big2, 0, big.length);
                        bw[r] = 4 * 4.0 * big.length / ((System.nanoTime() - b0) / 1e9);
                        ratio[r] = t[w][r] / (touchedBytes / bw[r] * 1e6);
                    }
                }
            }
        }
        double bound = touched / bandwidth * 1e6;
        ObjectNode rd = o.putObject("read_ready");
        rd.put("spans", opts.spans());
        rd.put("batched_distinct_keys", keys);
        rd.put("bytes_touched_per_read", touched);
        rd.put("bandwidth_bound_us_per_read", bound);
        String[] names = {
            "ready_memory_build",
            "single_read_cached",
            "batched_read_cached_per_query",
            "single_read_device_path",
            "single_read_uncached_host",
            "alternative_keys_in_state_float16_decode",
            "decode_whole_state_from_avro",
            "decode_avro_record_to_state",
            "decode_avro_record_to_state_with_cached_coefficients"
        };
        for (int w = 0; w < names.length; w++) {
            rd.put(names[w] + "_us", med(t[w]));
            rd.put(names[w] + "_thread_cpu_us", med(cpu[w]));
        }
        rd.put("batched_over_bound", med(t[2]) / bound);
        rd.put("copy_bandwidth_after_batched_bytes_per_s", med(bw));
        rd.put("batched_over_bound_same_repeat", med(ratio));
        rd.put("batched_thread_cpu_over_bound", med(cpu[2]) / bound);
        rd.put(
                "note",
                "sticky memory after 2 contractions, 2 spans, context, no short-term part; cached = ReadyMemory "
                        + "from the cache (same key, one version); batched = readBatch of 64 requests over 64 distinct keys, all "
                        + "cached (64 x bytes_touched, beyond the L2/L3 caches of small machines); device path = the per-query "
                        + "DJL read (setHostReads(false)), uncached host = ready memory built for the read; bytes touched = keys "
                        + "[d, N/S] + B [N, d], float32 (the per-configuration tables are shared); bound = bytes touched / copy "
                        + "bandwidth (measured at the start; and, for batched_over_bound_same_repeat, a 64 MiB copy right after "
                        + "each repeat's batched reads); _us = wall clock, _thread_cpu_us = CPU time of the benchmark thread (less affected by other "
                        + "processes on the machine, but not by what they do to the caches); decode_whole_state_from_avro = "
                        + "Avro binary to state; decode_avro_record_to_state = the Avro record (as the store's serde gives it) to "
                        + "the state, B decoded; ..._with_cached_coefficients = the same with the version check against the "
                        + "cache and B taken from the ready memory (what the node's query path does on a hit)");
    }

    /** Bytes per second that System.arraycopy copies between two 256 MiB arrays (median of repeats after a warm-up). */
    static double copyBandwidth(int repeats) {
        float[] a = new float[64 << 20], b = new float[64 << 20];
        java.util.Arrays.fill(a, 1f);
        System.arraycopy(a, 0, b, 0, a.length);
        double[] v = new double[Math.max(3, repeats)];
        for (int r = 0; r < v.length; r++) {
            long t0 = System.nanoTime();
            System.arraycopy(a, 0, b, 0, a.length);
            v[r] = 4.0 * a.length / ((System.nanoTime() - t0) / 1e9);
        }
        return med(v);
    }

    private static double med(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static MemoryState step(
            LongTermMemory ltm, MemoryState s, float[][] batches, int i, boolean sticky, double[] hist) {
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

    private static float[] randn(int n, Random rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
