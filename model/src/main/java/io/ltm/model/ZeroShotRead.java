package io.ltm.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ltm.model.internal.ContinuousAttention;
import io.ltm.model.internal.DeviceMath;
import io.ltm.model.internal.DeviceMemories;
import io.ltm.model.internal.HostZeroShot;
import io.ltm.model.internal.MemoryKeys;
import io.ltm.model.internal.SpanFitter;
import io.ltm.model.internal.Staging;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Continuous attention without trained weights: the pooled query q̄ attends to the memory's keys, the moment-matched
 * Gaussian gives c_LTM = Bᵀ E_{N(μ,σ²)}[ψ] (official affines=False). The attention profile over t is binned into one
 * bin per basis centre (N/S, clamped to [16, 512]), divided by that of uniform attention (edge correction), and the k
 * strongest separated modes above its 10% quantile are fitted by one Gaussian each ({@code SpanFitter.modes}), whose
 * σ² then loses the blur of the basis densities (mean σ_k²); basis functions past the memory's filled extent get no
 * attention. score = cosine(q̄, Bᵀ E_{N(μ_k,σ_k²)}[ψ]), the remembered content under the span.
 *
 * <p>Computed on host arrays from a {@link ReadyMemory}, where reads of one memory version share one pass over its
 * keys and one over its B and distinct versions are spread over the common fork-join pool's cores; or batched on the
 * engine's device: each memory version's B and keys held there by {@link DeviceMemories} (uploaded once), the reads
 * grouped by memory into [G, g] slots, one batched matmul over the groups' memories for the scores, one for the
 * contexts, one matmul each for the profiles and the sticky histograms (which come back with the contexts in one
 * transfer), one batched matmul for the span scores. Not thread-safe (one per engine).
 */
final class ZeroShotRead {
    /** Empty slots the groups of a device batch may add, at most, as a multiple of its reads (see onDevice). */
    private static final int MAX_PADDING = 2;
    /** Reads in a device batch from which their per-read host work (other than the span fits) is spread over the cores. */
    private static final int PARALLEL_READS = 64;
    /** The staging slot of the pooled queries (the device memories upload through their own). */
    private static final int QUERY_SLOT = DeviceMemories.UPLOAD_SLOT + 1;

    private final MemoryConfig cfg;
    private final DeviceMath math;
    private final Staging staging = new Staging();
    private ReadyMemoryCache readyCache;
    private HostZeroShot host;
    private MemoryKeys keys;
    private boolean hostReads;
    private DeviceMemories deviceMemories;

    ZeroShotRead(MemoryConfig cfg, MemoryEngine engine) {
        this.cfg = cfg;
        this.math = engine.math();
        this.hostReads = Device.Type.CPU.equals(engine.device().getDeviceType());
    }

    void setReadyCache(ReadyMemoryCache cache) {
        this.readyCache = cache;
    }

    ReadyMemoryCache readyCache() {
        return readyCache;
    }

    void setHostReads(boolean host) {
        this.hostReads = host;
    }

    boolean hostReads() {
        return hostReads;
    }

    /** See {@link LongTermMemory#setDeviceMemoryBytes}. */
    void setDeviceMemoryBytes(long maxBytes) {
        DeviceMemories next = new DeviceMemories(math, staging, cfg.cosineKeys(), maxBytes);
        close();
        deviceMemories = next;
    }

    /** The memories held on the device (null before the first device read). */
    DeviceMemories deviceMemories() {
        return deviceMemories;
    }

    /** Closes the memories held on the device. */
    void close() {
        if (deviceMemories != null) deviceMemories.close();
        deviceMemories = null;
    }

    /** See {@link LongTermMemory#ready}. */
    ReadyMemory ready(MemoryState state) {
        if (state.dim() != cfg.dim() || state.basisSize() != cfg.basisSize())
            throw new IllegalArgumentException("state does not match config");
        if (!state.hasLongTerm()) throw new IllegalArgumentException("the state has no long-term memory yet");
        if (keys == null) keys = new MemoryKeys(math.basis(), cfg.cosineKeys());
        return new ReadyMemory(
                cfg, state, MemoryKeys.transpose(keys.rows(state.coefficientsRef(), cfg.dim()), cfg.dim()));
    }

    private ReadyMemory readyFor(ReadRequest r) {
        if (r.key() == null || readyCache == null) return ready(r.state());
        ReadyMemory m = readyCache.get(r.key(), r.state(), this::ready);
        return m.config().equals(cfg) ? m : ready(r.state());
    }

    /** Reads the requests zs (each with a long-term part) into their spans, contexts and, when sticky, histograms. */
    void read(NDManager m, MemoryRead.Batch batch, List<Integer> zs) {
        if (hostReads) onHost(batch, zs);
        else onDevice(m, batch, zs);
    }

    private void onHost(MemoryRead.Batch batch, List<Integer> zs) {
        List<ReadRequest> requests = batch.requests();
        float[][] qbar = batch.qbar();
        List<Span>[] spans = batch.spans();
        float[][] ltmCtx = batch.ltmCtx();
        double[][] hist = batch.hist();
        if (host == null)
            host = new HostZeroShot(
                    math,
                    cfg.dim(),
                    cfg.cosineKeys(),
                    cfg.temperature(),
                    cfg.sigma2Min(),
                    cfg.sticky() ? cfg.stickyBins() : null);
        // reads of one memory version together: its keys and B are streamed once for all of them
        record Version(ReadyMemory ready, double filled) {}
        Map<Version, List<Integer>> groups = new LinkedHashMap<>();
        for (int i : zs) {
            ReadRequest r = requests.get(i);
            groups.computeIfAbsent(new Version(readyFor(r), r.state().timeline().filledUpTo()), v -> new ArrayList<>())
                    .add(i);
        }
        // the groups of a batch are independent (each writes only its own requests' results; the host read and the
        // ready memories are read-only): spread over the common pool's cores; a single read stays on this thread
        var work = groups.entrySet();
        (work.size() > 1 ? work.parallelStream() : work.stream()).forEach(g -> {
            ReadyMemory ready = g.getKey().ready();
            double filled = g.getKey().filled();
            List<Integer> members = g.getValue();
            float[][] qs = new float[members.size()][];
            int[] k = new int[members.size()];
            boolean[] context = new boolean[members.size()];
            for (int x = 0; x < qs.length; x++) {
                ReadRequest r = requests.get(members.get(x));
                ReadOptions o = r.options() == null ? ReadOptions.defaults() : r.options();
                qs[x] = qbar[members.get(x)];
                k[x] = o.spans();
                context[x] = o.includeContext();
            }
            HostZeroShot.Out[] outs =
                    host.read(ready.keysTransposedRef(), ready.coefficientsRef(), qs, k, context, filled);
            for (int x = 0; x < qs.length; x++) {
                int i = members.get(x);
                HostZeroShot.Out o = outs[x];
                ltmCtx[i] = o.context();
                hist[i] = o.histogram();
                for (int t = 0; t < o.fits().size(); t++) {
                    spans[i].add(Span.of(requests.get(i).state(), o.fits().get(t), o.scores()[t]));
                }
            }
        });
    }

    private void onDevice(NDManager m, MemoryRead.Batch batch, List<Integer> zs) {
        List<ReadRequest> requests = batch.requests();
        float[][] qbar = batch.qbar();
        List<Span>[] spans = batch.spans();
        float[][] ltmCtx = batch.ltmCtx();
        double[][] hist = batch.hist();
        int k = zs.size(), d = cfg.dim(), nb = cfg.basisSize();
        // the reads by memory (distinct B arrays), each memory's reads in groups of at most g slots
        Map<float[], Integer> memoryIndex = new IdentityHashMap<>();
        List<float[]> memories = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        int[] memoryOf = new int[k];
        int[] rank = new int[k];
        int[] count = new int[k];
        for (int j = 0; j < k; j++) {
            ReadRequest r = requests.get(zs.get(j));
            int u = memoryIndex.computeIfAbsent(r.state().coefficientsRef(), c -> {
                memories.add(c);
                keys.add(r.key());
                return memories.size() - 1;
            });
            memoryOf[j] = u;
            rank[j] = count[u]++;
        }
        int distinct = memories.size(), most = 0;
        for (int u = 0; u < distinct; u++) most = Math.max(most, count[u]);
        // one group per memory, unless a few memories have most of the reads: then groups of the mean count, so that
        // the empty slots stay within MAX_PADDING times the reads
        int g = (long) distinct * most <= (long) MAX_PADDING * k ? most : (k + distinct - 1) / distinct;
        if (deviceMemories == null)
            deviceMemories = new DeviceMemories(math, staging, cfg.cosineKeys(), DeviceMemories.DEFAULT_MAX_BYTES);
        DeviceMemories.Memory[] held = deviceMemories.of(memories, keys, m);
        int[] firstGroup = new int[distinct];
        List<DeviceMemories.Memory> groups = new ArrayList<>();
        for (int u = 0; u < distinct; u++) {
            firstGroup[u] = groups.size();
            for (int x = 0; x < (count[u] + g - 1) / g; x++) groups.add(held[u]);
        }
        int slots = groups.size() * g;
        int[] slot = new int[k];
        float[] filled = new float[slots];
        Arrays.fill(filled, 1f); // empty slots: a full memory
        staging.begin(QUERY_SLOT, slots * d);
        boolean[] used = new boolean[slots];
        for (int j = 0; j < k; j++) {
            slot[j] = firstGroup[memoryOf[j]] * g + rank[j];
            used[slot[j]] = true;
        }
        // each read writes its own slot (of the direct buffer and of filled)
        reads(k).forEach(j -> {
            staging.put(QUERY_SLOT, slot[j] * d, qbar[zs.get(j)], 0, d);
            filled[slot[j]] = (float) requests.get(zs.get(j)).state().timeline().filledUpTo();
        });
        float[] zero = new float[d];
        for (int p = 0; p < slots; p++) if (!used[p]) staging.put(QUERY_SLOT, p * d, zero, 0, d);
        NDArray q = staging.finish(m, QUERY_SLOT, new Shape(groups.size(), g, d));
        DeviceMemories.Memory stacked = DeviceMemories.stack(groups, m);
        NDArray b = stacked.b();
        ContinuousAttention.ZeroShot z = ContinuousAttention.zeroShot(
                math, b, stacked.keys(), q, m.create(filled), cfg.temperature(), cfg.sigma2Min());
        int rb = math.profileBins(), nd = cfg.sticky() ? cfg.stickyBins() : 0;
        // profiles, histograms and contexts come back in one transfer: [slots, rb + nd + d]
        NDList parts = new NDList(z.a().matMul(math.profileBinMass()));
        if (nd > 0) parts.add(z.a().matMul(math.basisBinMass(nd)));
        parts.add(z.ctx());
        int width = rb + nd + d;
        // read where the transfer put it (absolute gets, safe from many threads) instead of copied once more
        FloatBuffer out = NDArrays.concat(parts, 1).toByteBuffer().asFloatBuffer();
        double[] ref = math.profileReference(); // uniform attention's profile, mean 1
        double[][][] fits = new double[k][][];
        // the span fits are host work per read, independent of each other: spread over the common pool's cores
        (k > 1 ? IntStream.range(0, k).parallel() : IntStream.range(0, k)).forEach(j -> {
            int i = zs.get(j), at = slot[j] * width;
            double[] pm = new double[rb];
            double[] dens = new double[rb];
            for (int t = 0; t < rb; t++) {
                pm[t] = out.get(at + t);
                dens[t] = pm[t] / ref[t];
            }
            fits[j] = SpanFitter.withoutBasisBlur(
                            SpanFitter.modes(dens, pm, requests.get(i).options().spans()), math.basis())
                    .toArray(new double[0][]);
            ltmCtx[i] = new float[d];
            out.get(at + rb + nd, ltmCtx[i]);
            if (nd > 0) {
                hist[i] = new double[nd];
                for (int t = 0; t < nd; t++) hist[i][t] = out.get(at + rb + t);
            }
        });
        int kmax = Math.max(1, Arrays.stream(fits).mapToInt(f -> f.length).max().orElse(0));
        float[] smu = new float[slots * kmax], ss2 = new float[slots * kmax];
        Arrays.fill(smu, 0.5f);
        Arrays.fill(ss2, 1f);
        for (int j = 0; j < k; j++) {
            double[][] f = fits[j];
            for (int t = 0; t < f.length; t++) {
                smu[slot[j] * kmax + t] = (float) f[t][0];
                ss2[slot[j] * kmax + t] = (float) (f[t][1] * f[t][1]);
            }
        }
        // the remembered content under each span, Bᵀ E[ψ], by the groups' memories as the contexts were
        NDArray r = math.expectedPsi(m.create(smu), m.create(ss2)).reshape(groups.size(), (long) g * kmax, nb);
        NDArray c = r.batchMatMul(b).reshape(slots, kmax, d);
        NDArray qs = q.reshape(slots, d);
        NDArray qu = ContinuousAttention.unit(qs, 1);
        float[] cos = ContinuousAttention.unit(c, 2)
                .batchMatMul(qu.reshape(slots, d, 1))
                .reshape(slots, kmax)
                .toFloatArray();
        // each read adds to its own request's spans
        reads(k).forEach(j -> {
            int i = zs.get(j);
            double[][] f = fits[j];
            for (int t = 0; t < f.length; t++) {
                spans[i].add(Span.of(requests.get(i).state(), f[t], cos[slot[j] * kmax + t]));
            }
        });
    }

    /** The reads 0..k-1, spread over the common pool's cores from PARALLEL_READS on (below, the handoff costs more). */
    private static IntStream reads(int k) {
        return k >= PARALLEL_READS ? IntStream.range(0, k).parallel() : IntStream.range(0, k);
    }
}
