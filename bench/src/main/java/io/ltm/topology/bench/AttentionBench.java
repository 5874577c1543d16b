package io.ltm.topology.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ltm.bench.Machine;
import io.ltm.model.AttentionHeadKind;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryEngine;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadRequest;
import io.ltm.model.ReadResult;
import io.ltm.model.ReadyMemory;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.model.Span;
import io.ltm.model.TokenBatch;
import io.ltm.model.TokenSource;
import io.ltm.model.internal.Basis;
import io.ltm.model.internal.ExpectedPsi;
import io.ltm.topology.codec.MemoryStateCodec;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.config.ConfigException;

/**
 * {@code ./ltm bench attention [--dim D] [--keys K] [--chunk C] [--repeats R] [--history T1,T2,...] [--device
 * auto|cpu|gpu] [--path auto|host|device]}: the attention worker's reads, for batches of 1, 16, 256 and 4096 queries
 * across K distinct keys (request i reads key i mod K), on the engine's device (auto: the GPU when PyTorch sees one),
 * in two forms:
 * <ul>
 *   <li>resident (the worker's default): the memories are held decoded and their ready memories cached, as the
 *       worker's replicas and ready cache hold them; reads of one memory version in a batch share one pass over its
 *       arrays;</li>
 *   <li>snapshot (before resident memories; {@code ltm.attention.resident=false}): every request carries the Avro
 *       state, decoded per request (its B then found in the ready cache), for batches up to 256.</li>
 * </ul>
 * Then a single read of one memory, read over and over with its arrays in cache ({@code singleReadInCacheUs}): what
 * a query costs on its own, which no batch shares. In the same run: the bytes per second {@code System.arraycopy}
 * copies between two 256 MiB arrays (measured right after each batch size), and from it the bandwidth bound of each
 * batch: the bytes the batch must touch over that bandwidth, counted from what the reads returned (see
 * {@link #touched}): each distinct memory version's keys once (float32) and the rows of its B under the spans its
 * reads found (these reads ask for no context; a span's content is Bᵀ E[ψ], and E[ψ] is exactly 0 outside a few of
 * the N rows). Batches above C requests are split into engine calls of C, as the worker's max.poll.records splits
 * them. {@code --path} picks the zero-shot read's code path ({@code LongTermMemory#setHostReads}): auto, the engine's
 * default for its device (host arrays on the CPU, batched DJL arrays on a GPU); host; or device, which on a CPU engine
 * runs the GPU's code path with DJL's CPU PyTorch (its host-side cost is the GPU path's). Every batch size reads at
 * least K requests, one per key, so that single reads go to every memory in turn. Wall time and the process's CPU
 * time (all threads: a batch spreads its memories over the cores) are both printed: on a shared machine wall time
 * includes waiting for a core. R repeats interleave the batch sizes; each figure is the median over them, and each
 * ratio the median of the ratios within one repeat. Then, for streams of T1, T2, ... tokens (default 1k, 100k, 1M,
 * 5M; 0 skips), one memory each: its stored bytes, the bytes a read touches, the CPU time of its last contractions
 * and the time of a single read, which must not grow with the stream.
 */
public final class AttentionBench {

    private static final int[] BATCHES = {1, 16, 256, 4096};
    /** Snapshot decoding costs milliseconds per request: larger batches would take minutes and show nothing new. */
    private static final int SNAPSHOT_MAX_BATCH = 256;
    /** Query vectors per request, pooled by the read (as a short text query). */
    private static final int QUERY_VECTORS = 8;
    /** The targets of issue 11, printed beside the figures they judge. */
    private static final double TARGET_BATCH_256_OVER_SINGLE = 5.0;

    private static final double TARGET_OVER_BOUND = 2.0;
    /** Distinct random chunks the history memories are fed from (drawing 5M×d Gaussians would take a minute). */
    private static final int HISTORY_POOL = 64;
    /** Contractions at the end of each history whose CPU time is averaged. */
    private static final int HISTORY_LAST_CONTRACTIONS = 50;
    /** Single reads timed together per length (one read alone is too short to time). */
    private static final int HISTORY_READS = 200;
    /** Single reads of one memory timed together (its arrays stay in cache). */
    private static final int HOT_READS = 200;

    private AttentionBench() {}

    public static void main(String... args) throws Exception {
        int dim = intArg(args, "--dim", 384);
        int keys = intArg(args, "--keys", 64);
        int chunk = intArg(args, "--chunk", 512);
        int repeats = intArg(args, "--repeats", 3);
        List<Long> history = new ArrayList<>();
        for (String h :
                stringArg(args, "--history", "1000,100000,1000000,5000000").split(",")) {
            if (!h.isBlank() && Long.parseLong(h.strip()) > 0) {
                history.add(Long.parseLong(h.strip()));
            }
        }
        String deviceName = stringArg(args, "--device", "auto");
        Device available = MemoryEngine.defaultDevice();
        Device device = switch (deviceName) {
            case "auto" -> available;
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> throw new ConfigException("--device must be auto, cpu or gpu, not " + deviceName);
        };
        if (Device.Type.GPU.equals(device.getDeviceType()) && !Device.Type.GPU.equals(available.getDeviceType()))
            throw new ConfigException("--device gpu: PyTorch sees no GPU here (README: Running on a GPU)");
        String path = stringArg(args, "--path", "auto");
        if (!List.of("auto", "host", "device").contains(path))
            throw new ConfigException("--path must be auto, host or device, not " + path);
        MemoryConfig cfg = MemoryConfig.builder().dim(dim).build();
        Random rnd = new Random(1);
        com.sun.management.OperatingSystemMXBean mx =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, Object> json = new LinkedHashMap<>();
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String loadAtStart = Machine.loadAverage();
        try (LongTermMemory engine = LongTermMemory.create(cfg, device)) {
            engine.setReadyCache(new ReadyMemoryCache(Long.MAX_VALUE));
            if (!path.equals("auto")) engine.setHostReads(path.equals("host"));
            List<MemoryState> states = new ArrayList<>();
            List<io.ltm.schemas.MemoryState> snapshots = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                MemoryState s = MemoryState.empty(cfg);
                for (int c = 0; c < 2; c++) {
                    int l = cfg.contractionLength();
                    s = engine.absorb(
                            s,
                            new TokenBatch(
                                    randomVectors(rnd, l, dim), l, null, new TokenSource("bench", 0, c, 0, null)));
                }
                io.ltm.schemas.MemoryState stored = MemoryStateCodec.toAvro(s, cfg);
                snapshots.add(stored);
                // resident as the worker holds it: decoded from the stored (float16) record, the version a snapshot
                // decodes to as well, so that both forms find the same ready memories in the cache
                states.add(MemoryStateCodec.fromAvro(stored, cfg));
            }
            ReadyMemory sample = engine.ready(states.get(0));
            long keyBytes = 4L * sample.keyCount() * dim;
            ReadOptions options = new ReadOptions(1, false, true, AttentionHeadKind.ZERO_SHOT);
            json.put("benchmark", "attention");
            json.put("date", startedAt);
            json.put("cpu", Machine.cpuModel());
            json.put("cores", Runtime.getRuntime().availableProcessors());
            json.put("loadAverageAtStart", loadAtStart);
            json.put("device", engine.device().toString());
            json.put("hostReads", engine.hostReads());
            json.put("N", cfg.basisSize());
            json.put("d", dim);
            json.put("distinctKeys", keys);
            json.put("chunk", chunk);
            json.put("queryVectors", QUERY_VECTORS);
            json.put("bytesPerMemoryVersion", sample.bytes());
            json.put("keyBytesPerMemoryVersion", keyBytes);
            json.put("targetBatch256OverSingle", TARGET_BATCH_256_OVER_SINGLE);
            json.put("targetOverBound", TARGET_OVER_BOUND);
            json.put("repeats", repeats);
            List<Map<String, Object>> batches = new ArrayList<>();
            json.put("batches", batches);
            float[] copyFrom = new float[64 << 20];
            float[] copyTo = new float[64 << 20];
            Arrays.fill(copyFrom, 1f);
            int sizes = BATCHES.length;
            List<List<ReadRequest>> resident = new ArrayList<>();
            List<List<float[]>> queries = new ArrayList<>();
            for (int batch : BATCHES) {
                // at least one request per key, so that small batches read every memory in turn (from main memory,
                // as a worker serving many keys does) rather than one memory from the cache
                int total = Math.max(batch, keys);
                List<ReadRequest> rs = new ArrayList<>(total);
                List<float[]> qs = new ArrayList<>(total);
                for (int i = 0; i < total; i++) {
                    float[] q = randomVectors(rnd, QUERY_VECTORS, dim);
                    qs.add(q);
                    rs.add(new ReadRequest("key" + (i % keys), states.get(i % keys), q, QUERY_VECTORS, options));
                }
                resident.add(rs);
                queries.add(qs);
            }
            // per batch size and repeat: {wall, CPU} per batch, copy bandwidth, snapshot {wall, CPU}; the repeats
            // interleave the batch sizes, so that a burst of load elsewhere hits one repeat, not one batch size
            double[][][] ours = new double[sizes][repeats][];
            double[][][] snap = new double[sizes][repeats][];
            double[][] bandwidth = new double[sizes][repeats];
            for (int r = 0; r < repeats; r++) {
                for (int bi = 0; bi < sizes; bi++) {
                    int batch = BATCHES[bi];
                    List<ReadRequest> rs = resident.get(bi);
                    int total = rs.size();
                    int step = Math.min(batch, chunk);
                    ours[bi][r] = perBatch(
                            time(mx, () -> {
                                for (int from = 0; from < total; from += step) {
                                    engine.readBatch(rs.subList(from, Math.min(total, from + step)));
                                }
                            }),
                            total,
                            batch);
                    bandwidth[bi][r] = copyBandwidth(copyFrom, copyTo);
                    if (batch <= SNAPSHOT_MAX_BATCH) {
                        List<float[]> qs = queries.get(bi);
                        snap[bi][r] = perBatch(
                                time(mx, () -> {
                                    for (int from = 0; from < total; from += batch) {
                                        List<ReadRequest> decoded = new ArrayList<>(batch);
                                        for (int i = from; i < from + batch; i++) {
                                            decoded.add(new ReadRequest(
                                                    "key" + (i % keys),
                                                    MemoryStateCodec.fromAvro(snapshots.get(i % keys), cfg),
                                                    qs.get(i),
                                                    QUERY_VECTORS,
                                                    options));
                                        }
                                        engine.readBatch(decoded);
                                    }
                                }),
                                total,
                                batch);
                    }
                }
            }
            ExpectedPsi psi = new ExpectedPsi(Basis.of(cfg.basisSize(), cfg.widths()));
            for (int bi = 0; bi < sizes; bi++) {
                int batch = BATCHES[bi];
                List<ReadRequest> rs = resident.get(bi);
                int step = Math.min(batch, chunk);
                long[] bytes = new long[2]; // keys, rows of B: over every engine call of one pass, then per batch
                for (int from = 0; from < rs.size(); from += step) {
                    List<ReadRequest> call = rs.subList(from, Math.min(rs.size(), from + step));
                    long[] b = touched(call, engine.readBatch(call), psi, keyBytes, dim);
                    bytes[0] += b[0];
                    bytes[1] += b[1];
                }
                double perBatch = (double) batch / rs.size();
                long keysTouched = Math.round(bytes[0] * perBatch), rowsTouched = Math.round(bytes[1] * perBatch);
                long touched = keysTouched + rowsTouched;
                double[] wall = new double[repeats], cpu = new double[repeats], overSingle = new double[repeats];
                double[] overBound = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    wall[r] = ours[bi][r][0];
                    cpu[r] = ours[bi][r][1];
                    overSingle[r] = ours[0][r][0] * batch / ours[bi][r][0]; // queries/s over batch 1's, same repeat
                    overBound[r] = ours[bi][r][0] / (touched / bandwidth[bi][r]);
                }
                double w = median(wall);
                double bw = median(bandwidth[bi]);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("batch", batch);
                row.put("latencyMs", round(w * 1e3, 3));
                row.put("queriesPerSec", Math.round(batch / w));
                row.put("usPerQuery", round(w / batch * 1e6, 2));
                row.put("processCpuUsPerQuery", round(median(cpu) / batch * 1e6, 2));
                row.put("overSingleReads", round(median(overSingle), 2));
                row.put("bytesTouched", touched);
                row.put("keyBytesTouched", keysTouched);
                row.put("bRowBytesTouched", rowsTouched);
                row.put("copyBandwidthBytesPerSec", Math.round(bw));
                row.put("boundUsPerQuery", round(touched / bw / batch * 1e6, 2));
                row.put("overBound", round(median(overBound), 2));
                batches.add(row);
                if (batch <= SNAPSHOT_MAX_BATCH) {
                    double[] sw = new double[repeats], sc = new double[repeats], gain = new double[repeats];
                    for (int r = 0; r < repeats; r++) {
                        sw[r] = snap[bi][r][0];
                        sc[r] = snap[bi][r][1];
                        gain[r] = snap[bi][r][0] / ours[bi][r][0];
                    }
                    row.put("snapshotQueriesPerSec", Math.round(batch / median(sw)));
                    row.put("snapshotProcessCpuUsPerQuery", round(median(sc) / batch * 1e6, 2));
                    row.put("residentOverSnapshot", round(median(gain), 2));
                }
            }
            // a query's own work, which no batch shares: single reads of one memory, its arrays in cache
            List<ReadRequest> hot = List.of(resident.get(0).get(0));
            double[] hotRun = time(mx, () -> {
                for (int i = 0; i < HOT_READS; i++) engine.readBatch(hot);
            });
            json.put("singleReadInCacheUs", round(hotRun[0] / HOT_READS * 1e6, 2));
            if (!history.isEmpty()) {
                json.put("history", history(engine, cfg, history, options, mx));
            }
        }
        json.put("loadAverageAtEnd", Machine.loadAverage());
        System.out.println(new ObjectMapper().writeValueAsString(json));
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /**
     * Flatness over the stream's length: one memory per length, fed random tokens in chunks of L (the chunks cycle
     * through a fixed pool: content does not change the cost), and at each length the stored record's bytes, the
     * bytes a read touches, the cost of the last contractions, and the mean of {@link #HISTORY_READS} single reads of
     * the memory as the worker holds it (decoded from its stored record, ready memory cached), with the first read of
     * the version (which builds it).
     */
    private static List<Map<String, Object>> history(
            LongTermMemory engine,
            MemoryConfig cfg,
            List<Long> lengths,
            ReadOptions options,
            com.sun.management.OperatingSystemMXBean mx) {
        int l = cfg.contractionLength();
        int dim = cfg.dim();
        Random rnd = new Random(7);
        float[][] pool = new float[HISTORY_POOL][];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = randomVectors(rnd, l, dim);
        }
        float[] q = randomVectors(rnd, QUERY_VECTORS, dim);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (long length : lengths) {
            MemoryState s = MemoryState.empty(cfg);
            long fed = 0;
            long contractions = 0;
            long lastCpu = 0;
            int lastCount = 0;
            long window = Math.max(1, Math.min(HISTORY_LAST_CONTRACTIONS, length / l));
            long firstTimed = (length + l - 1) / l - window;
            while (fed < length) {
                int count = (int) Math.min(l, length - fed);
                float[] v = count == l ? pool[rnd.nextInt(pool.length)] : Arrays.copyOf(pool[0], count * dim);
                long c0 = threadCpu();
                s = engine.absorb(
                        s, new TokenBatch(v, count, null, new TokenSource("bench", 0, contractions, 0, null)));
                if (contractions >= firstTimed) {
                    lastCpu += threadCpu() - c0;
                    lastCount++;
                }
                fed += count;
                contractions++;
            }
            io.ltm.schemas.MemoryState stored = MemoryStateCodec.toAvro(s, cfg);
            MemoryState resident = MemoryStateCodec.fromAvro(stored, cfg);
            ReadRequest request = new ReadRequest("history-" + length, resident, q, QUERY_VECTORS, options);
            long t0 = System.nanoTime();
            engine.readBatch(List.of(request)); // builds the version's ready memory
            double firstUs = (System.nanoTime() - t0) / 1e3;
            double[] single = time(mx, () -> {
                for (int i = 0; i < HISTORY_READS; i++) {
                    engine.readBatch(List.of(request));
                }
            });
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("tokens", s.tokensAbsorbed());
            row.put("contractions", s.contractions());
            row.put("storedBytes", storedBytes(stored));
            row.put("readBytes", engine.ready(resident).bytes());
            row.put("contractionCpuMs", round(lastCpu / 1e6 / Math.max(1, lastCount), 3));
            row.put("firstReadUs", round(firstUs, 1));
            row.put("singleReadUs", round(single[0] / HISTORY_READS * 1e6, 2));
            rows.add(row);
        }
        return rows;
    }

    /**
     * {key bytes, B-row bytes} the reads of one engine call must bring from memory: each distinct memory version's keys
     * once, and its B's rows where E[ψ] of a span one of its reads returned is not 0 (each span's content is Bᵀ E[ψ]
     * over exactly those rows; {@link ExpectedPsi} is the read's own), each row once. The reads ask for no context and
     * their memories hold no short-term tokens, so nothing else is read per memory.
     */
    static long[] touched(List<ReadRequest> call, List<ReadResult> results, ExpectedPsi psi, long keyBytes, int dim) {
        Map<float[], boolean[]> rows = new IdentityHashMap<>();
        for (int i = 0; i < call.size(); i++) {
            MemoryState s = call.get(i).state();
            if (s.shortTermCount() > 0 || call.get(i).options().includeContext())
                throw new IllegalStateException("the bound counts long-term reads without a context only");
            boolean[] used = rows.computeIfAbsent(s.coefficientsRef(), b -> new boolean[s.basisSize()]);
            for (Span span : results.get(i).spans()) {
                float[] r = psi.expected(span.mu(), span.sigma() * span.sigma());
                for (int k = 0; k < r.length; k++) used[k] |= r[k] != 0f;
            }
        }
        long rowCount = 0;
        for (boolean[] used : rows.values()) for (boolean u : used) if (u) rowCount++;
        return new long[] {rows.size() * keyBytes, rowCount * 4L * dim};
    }

    private static long threadCpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** The stored record's Avro binary size (B's records and the term filter included: what a restore reads). */
    private static long storedBytes(io.ltm.schemas.MemoryState stored) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder e =
                org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        try {
            new org.apache.avro.specific.SpecificDatumWriter<>(io.ltm.schemas.MemoryState.class).write(stored, e);
            e.flush();
        } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
        return out.size();
    }

    /** {wall, process CPU} seconds per run: two warm-up runs, then the mean of at least 3 runs and 1 s. */
    private static double[] time(com.sun.management.OperatingSystemMXBean mx, Runnable r) {
        r.run();
        r.run();
        int runs = 0;
        long cpu = mx.getProcessCpuTime();
        long start = System.nanoTime();
        while (runs < 3 || System.nanoTime() - start < 1_000_000_000L) {
            r.run();
            runs++;
        }
        return new double[] {(System.nanoTime() - start) / 1e9 / runs, (mx.getProcessCpuTime() - cpu) / 1e9 / runs};
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /** Seconds per run of {@code total} requests, as seconds per batch of {@code batch}. */
    private static double[] perBatch(double[] perRun, int total, int batch) {
        return new double[] {perRun[0] * batch / total, perRun[1] * batch / total};
    }

    /** Bytes per second System.arraycopy copies between two 256 MiB arrays (beyond every cache): median of 5. */
    private static double copyBandwidth(float[] a, float[] b) {
        System.arraycopy(a, 0, b, 0, a.length);
        double[] v = new double[5];
        for (int i = 0; i < v.length; i++) {
            long t0 = System.nanoTime();
            System.arraycopy(a, 0, b, 0, a.length);
            v[i] = 4.0 * a.length / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static float[] randomVectors(Random rnd, int count, int dim) {
        float[] v = new float[count * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private static String stringArg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
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
