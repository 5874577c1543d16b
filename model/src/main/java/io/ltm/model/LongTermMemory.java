package io.ltm.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ltm.model.internal.ContinuousAttention;
import io.ltm.model.internal.DeviceMath;
import io.ltm.model.internal.ExpectedPsi;
import io.ltm.model.internal.HostZeroShot;
import io.ltm.model.internal.MemoryKeys;
import io.ltm.model.internal.Retention;
import io.ltm.model.internal.RidgeSolver;
import io.ltm.model.internal.ShortTermMemory;
import io.ltm.model.internal.SpanFitter;
import io.ltm.model.internal.Staging;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;

/**
 * The memory engine for one {@link MemoryConfig}: absorbs tokens (∞-former contractions on DJL/PyTorch NDArrays,
 * float32 with ridge matrices precomputed in float64 and cached) and reads (continuous attention). Runs on the GPU
 * when PyTorch sees one, else on the CPU. Not thread-safe: use one engine per thread (the float64 ridge solutions are
 * shared process-wide; each engine keeps its own float32 device copies).
 *
 * <p><b>Query pooling.</b> The zero-shot head pools the queryCount query vectors by their mean q̄ (no normalisation):
 * one query per read. The trained head uses every query vector as is (the host layer's per-head queries).
 *
 * <p><b>Context.</b> Zero-shot: c_LTM = Bᵀ E_{N(μ,σ²)}[ψ] with the moment-matched Gaussian (official affines=False);
 * with the short-term buffer included, c = w_L c_LTM + w_S c_STM where c_STM is the softmax attention over the
 * short-term vectors and (w_L, w_S) = softmax(cos(q̄, c_LTM)/T, cos(q̄, c_STM)/T). Trained: Z = [c_1…c_H] W_O of every
 * query, flattened [Q·e_out] (long-term only, as in the paper; short-term hits are still listed).
 *
 * <p><b>Spans.</b> The attention profile over t (zero-shot: the mixture Σ a_n ψ_n; trained: the mean of the H·Q
 * Gaussians) is binned into one bin per basis centre (N/S, clamped to [16, 512]). Zero-shot: the profile is divided by
 * that of uniform attention (edge correction) and the k strongest separated modes above its 10% quantile are fitted by one
 * Gaussian each ({@code SpanFitter.modes}), whose σ² then loses the blur of the basis densities (mean σ_k²), and basis
 * functions past the memory's filled extent get no attention; trained: {@code SpanFitter.fit} (basins of the binned
 * profile, unchanged).
 * score = cosine(q̄, Bᵀ E_{N(μ_k,σ_k²)}[ψ]), the remembered content under the span.
 *
 * <p><b>Terms.</b> When the state keeps a {@link TermFilter} and the request carries the query's token texts, the
 * spans are placed by {@link TermGuide}: where the query's words discriminate, on the segments that hold them, ranked
 * by term match and then by the same score; every span carries its term match.
 */
public final class LongTermMemory implements AutoCloseable {
    private final MemoryConfig cfg;
    private final Device device;
    private final NDManager root;
    private final DeviceMath math;
    private TrainedHeadWeights trained;
    private NDManager trainedMgr;
    private NDArray[] trainedDev;
    private LongFunction<RandomGenerator> random = SplittableRandom::new;
    private final Staging staging = new Staging();
    private final Retention retention;
    private static final int SLOT_B = 0, SLOT_X = 1, SLOT_STM = 2, SLOT_B1 = 3;
    private ReadyMemoryCache readyCache;
    private HostZeroShot host;
    private MemoryKeys keys;
    private boolean hostReads;
    private TermGuide termGuide;

    private LongTermMemory(MemoryConfig cfg, Device device) {
        this.cfg = cfg;
        this.device = device;
        engine();
        this.root = NDManager.newBaseManager(device, "PyTorch");
        this.math = new DeviceMath(
                root,
                io.ltm.model.internal.Basis.of(cfg.basisSize(), cfg.widths()),
                cfg.contractionLength(),
                cfg.samples(),
                cfg.ridgePenalty(),
                false);
        this.retention = Retention.of(cfg, math, seed -> random.apply(seed));
        this.hostReads = Device.Type.CPU.equals(device.getDeviceType());
    }

    /** Picks the GPU when PyTorch sees one, else the CPU. */
    public static LongTermMemory create(MemoryConfig cfg) {
        return new LongTermMemory(cfg, defaultDevice());
    }

    public static LongTermMemory create(MemoryConfig cfg, Device device) {
        return new LongTermMemory(cfg, device);
    }

    /**
     * The PyTorch engine, started with one intra-op and one inter-op thread unless the system properties
     * {@code ai.djl.pytorch.num_threads} / {@code ai.djl.pytorch.num_interop_threads} say otherwise. The math issues
     * many small ops from several stream threads; on 2 shared cores PyTorch's default (one thread per core, spinning)
     * made the update 5-9x slower in MathBench (see docs/notes-math.md). Has no effect if the engine was already started.
     */
    public static Engine engine() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null)
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null)
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        return Engine.getEngine("PyTorch");
    }

    public static Device defaultDevice() {
        Engine e = engine();
        return e.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    public Device device() {
        return device;
    }

    public MemoryConfig config() {
        return cfg;
    }
    /** The engine's NDManager (for tests: its managed arrays must not grow). */
    public NDManager manager() {
        return root;
    }

    /** Sets (or clears, with null) the weights of the TRAINED head. */
    public synchronized void setTrainedHead(TrainedHeadWeights w) {
        if (trainedMgr != null) {
            trainedMgr.close();
            trainedMgr = null;
            trainedDev = null;
        }
        trained = w;
        if (w == null) return;
        int e = w.dim();
        if (e != cfg.dim())
            throw new IllegalArgumentException("trained head is for dim " + e + ", memory has " + cfg.dim());
        if (w.wMu().length != cfg.basisSize()) throw new IllegalArgumentException("wMu must have N entries");
        if (e % w.heads() != 0) throw new IllegalArgumentException("dim not divisible by heads");
        trainedMgr = root.newSubManager();
        trainedDev = new NDArray[] {
            trainedMgr.create(w.wk(), new Shape(e, e)),
            trainedMgr.create(w.wv(), new Shape(e, e)),
            trainedMgr.create(w.wMu()),
            trainedMgr.create(w.wSigma()),
            w.wo() == null ? null : trainedMgr.create(w.wo(), new Shape(e, w.outDim()))
        };
    }

    public TrainedHeadWeights trainedHead() {
        return trained;
    }

    /**
     * Source of randomness of the sticky draws: called with a seed derived from (config seed, contraction index),
     * so a replay of the same state and batches draws the same positions. Default: {@link SplittableRandom}.
     */
    public void setRandomSource(LongFunction<RandomGenerator> factory) {
        this.random = factory == null ? SplittableRandom::new : factory;
    }

    // ================================================================= update

    /**
     * Appends the batch to the short-term buffer; every time L tokens are there, contracts them into B by the
     * configured retention policy (which also updates the timeline and decides when the read histogram is used up).
     */
    public MemoryState absorb(MemoryState s, TokenBatch b) {
        int d = cfg.dim();
        if (s.dim() != d || s.basisSize() != cfg.basisSize())
            throw new IllegalArgumentException("state does not match config");
        if (b.count() == 0) return s;
        if (b.vectors().length != b.count() * d)
            throw new IllegalArgumentException(
                    "batch has " + b.vectors().length + " floats, expected count*dim = " + b.count() * d);
        int l = cfg.contractionLength();
        long first = s.tokensAbsorbed();
        Timeline tl = s.timeline().withSource(first, b.source(), cfg.maxSourceSegments());
        int sc = s.shortTermCount();
        int total = sc + b.count();
        float[] prev = s.shortTermRef();
        float[] add = b.vectors();
        List<String> tokens = new ArrayList<>(total);
        tokens.addAll(s.shortTermTokens());
        if (b.tokens() == null) tokens.addAll(Collections.nCopies(b.count(), null));
        else tokens.addAll(b.tokens());
        long absorbed = first + b.count();
        CoefficientLog coef = s.coefficientLog();
        long contractions = s.contractions();
        double[] sticky = s.stickyRef();
        TermFilter terms = termsOf(s);
        int off = 0;
        if (total >= l) {
            TermFilter.Builder tb = terms == null ? null : terms.toBuilder();
            long row0 = first - sc; // absolute index of row 0 of [short-term; batch]
            List<CoefficientDelta> deltas = new ArrayList<>();
            try (NDManager m = root.newSubManager()) {
                // B on the device, while the contractions rewrite it; null while deltas are pending (they are
                // applied by CoefficientLog, on the host, only when a later contraction reads B)
                NDArray bArr = null;
                while (total - off >= l) {
                    long at = absorbed - (total - off);
                    if (bArr == null && coef != null && retention.readsCoefficients(at)) {
                        coef = coef.plus(deltas);
                        deltas.clear();
                        bArr = staging.upload(m, SLOT_B, coef.coefficients(), 0, new Shape(cfg.basisSize(), d));
                    }
                    NDArray x = rows(m, prev, sc, add, off, l, d);
                    Retention.Step step = retention.contract(bArr, x, at, tl, sticky, contractions);
                    if (step.delta() != null) {
                        if (bArr != null) coef = CoefficientLog.of(bArr.toFloatArray(), cfg);
                        deltas.add(step.delta());
                        bArr = null;
                    } else {
                        bArr = step.coefficients();
                    }
                    tl = step.timeline();
                    sticky = step.sticky();
                    contractions++;
                    if (tb != null) for (int j = off; j < off + l; j++) tb.add(row0 + j, tokens.get(j));
                    off += l;
                }
                if (bArr != null) coef = CoefficientLog.of(bArr.toFloatArray(), cfg);
                coef = coef.plus(deltas);
                // a new base once enough contractions are kept as deltas
                if (coef.deltaCount() > cfg.coefficientDeltas()) coef = CoefficientLog.of(coef.coefficients(), cfg);
                if (tb != null) terms = tb.build();
            }
        }
        int rest = total - off;
        float[] newStm = new float[rest * d];
        if (off < sc) {
            System.arraycopy(prev, off * d, newStm, 0, (sc - off) * d);
            System.arraycopy(add, 0, newStm, (sc - off) * d, b.count() * d);
        } else {
            System.arraycopy(add, (off - sc) * d, newStm, 0, rest * d);
        }
        List<String> newTokens = Collections.unmodifiableList(new ArrayList<>(tokens.subList(off, total)));
        return s.with(coef, newStm, rest, newTokens, absorbed, contractions, tl, sticky, terms);
    }

    /**
     * The state's term filter if it has this configuration's geometry; a new one when the state has none or another
     * (a state written before the filter was configured, or under other settings: its tokens so far stay unindexed,
     * later ones are indexed at their true positions); null when the configuration keeps none.
     */
    private TermFilter termsOf(MemoryState s) {
        if (cfg.termSegments() == 0) return null;
        TermFilter f = s.terms();
        if (f != null
                && f.segments() == cfg.termSegments()
                && f.segmentBits() == cfg.termSegmentBits()
                && f.hashes() == cfg.termHashes()) return f;
        return TermFilter.empty(
                cfg.termSegments(), cfg.termSegmentBits(), cfg.termHashes(), cfg.termFirstSegmentTokens());
    }

    /** Rows [off, off+l) of the logical concatenation [prev (sc rows); add], uploaded without building it. */
    private NDArray rows(NDManager m, float[] prev, int sc, float[] add, int off, int l, int d) {
        staging.begin(SLOT_X, l * d);
        int fromPrev = Math.max(0, Math.min(sc - off, l));
        if (fromPrev > 0) staging.put(SLOT_X, 0, prev, off * d, fromPrev * d);
        if (l - fromPrev > 0) staging.put(SLOT_X, fromPrev * d, add, Math.max(0, off - sc) * d, (l - fromPrev) * d);
        return staging.finish(m, SLOT_X, new Shape(l, d));
    }

    // ================================================================= read

    /** One read; see {@link #readBatch(List)}. query: queryCount vectors of dim, row-major. */
    public ReadResult read(MemoryState state, float[] query, int queryCount, ReadOptions opts) {
        return readBatch(List.of(new ReadRequest(state, query, queryCount, opts)))
                .get(0);
    }

    /** One read of the memory of {@code key}: what depends only on its version comes from the ready cache, if set. */
    public ReadResult read(String key, MemoryState state, float[] query, int queryCount, ReadOptions opts) {
        return readBatch(List.of(new ReadRequest(key, state, query, queryCount, opts)))
                .get(0);
    }

    /** One read, with whatever the request carries (key, query tokens); see {@link #readBatch(List)}. */
    public ReadResult read(ReadRequest request) {
        return readBatch(List.of(request)).get(0);
    }

    /**
     * Where zero-shot reads of requests with a key find their memory's {@link ReadyMemory} (null: none; every read
     * computes its memory's keys). Share one cache between the engines of one configuration.
     */
    public void setReadyCache(ReadyMemoryCache cache) {
        this.readyCache = cache;
    }

    public ReadyMemoryCache readyCache() {
        return readyCache;
    }

    /**
     * Zero-shot reads on host arrays from a {@link ReadyMemory} (default on the CPU: the query's own work is small, and
     * one JNI call per operation costs more than it) or, when false, batched on the engine's device with DJL (default
     * on a GPU). Both give the same results within float32 rounding.
     */
    public void setHostReads(boolean host) {
        this.hostReads = host;
    }

    public boolean hostReads() {
        return hostReads;
    }

    /**
     * What a zero-shot read needs from this version of the memory, computed once: the keys at the basis centres
     * (Ψ(centres)·B, normalised) or the rows of B, and B. The state must have a long-term part.
     */
    public ReadyMemory ready(MemoryState state) {
        if (state.dim() != cfg.dim() || state.basisSize() != cfg.basisSize())
            throw new IllegalArgumentException("state does not match config");
        if (!state.hasLongTerm()) throw new IllegalArgumentException("the state has no long-term memory yet");
        if (keys == null) keys = new MemoryKeys(math.basis(), cfg.cosineKeys());
        return new ReadyMemory(cfg, state, keys.transposed(state.coefficientsRef(), cfg.dim()));
    }

    private ReadyMemory readyFor(ReadRequest r) {
        if (r.key() == null || readyCache == null) return ready(r.state());
        ReadyMemory m = readyCache.get(r.key(), r.state(), this::ready);
        return m.config().equals(cfg) ? m : ready(r.state());
    }

    /**
     * Many reads at once. Zero-shot reads of memories with a long-term part are computed together: B stacked into
     * [K, N, d], one batched matmul for the scores, one for the contexts, one matmul each for the profiles and the
     * sticky histograms, one batched matmul for the span scores; on the host (the CPU default), reads of one memory
     * version share one pass over its keys and one over its B, and the reads of distinct versions are spread over the
     * cores of the common fork-join pool. Trained reads and the short-term parts run per request.
     */
    public List<ReadResult> readBatch(List<ReadRequest> requests) {
        int n = requests.size();
        int d = cfg.dim();
        List<Span>[] spans = newLists(n);
        float[][] ltmCtx = new float[n][];
        double[][] hist = new double[n][];
        float[][] qbar = new float[n][];
        List<Integer> zs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ReadRequest r = requests.get(i);
            if (r.queryCount() < 1 || r.query().length < r.queryCount() * d)
                throw new IllegalArgumentException("query must hold queryCount >= 1 vectors of dim " + d);
            if (r.state().dim() != d) throw new IllegalArgumentException("state dim != config dim");
            qbar[i] = ExactRerank.pool(r.query(), r.queryCount(), d);
            ReadOptions o = r.options() == null ? ReadOptions.defaults() : r.options();
            if (o.head() == AttentionHeadKind.TRAINED && trained == null)
                throw new IllegalStateException("TRAINED head requested but no TrainedHeadWeights set on the engine");
            if (r.state().hasLongTerm() && o.head() == AttentionHeadKind.ZERO_SHOT) zs.add(i);
        }
        List<ShortTermHit>[] hits = newLists(n);
        float[][] stmCtx = new float[n][];
        try (NDManager m = root.newSubManager()) {
            if (!zs.isEmpty() && hostReads) hostZeroShot(requests, zs, qbar, spans, ltmCtx, hist);
            else if (!zs.isEmpty()) zeroShotGroup(m, requests, zs, qbar, spans, ltmCtx, hist);
            for (int i = 0; i < n; i++) {
                ReadRequest r = requests.get(i);
                ReadOptions o = r.options() == null ? ReadOptions.defaults() : r.options();
                if (r.state().hasLongTerm() && o.head() == AttentionHeadKind.TRAINED)
                    trainedOne(m, r, qbar[i], o.spans(), spans, ltmCtx, hist, i);
                MemoryState s = r.state();
                if (r.queryTokens() != null && s.terms() != null) {
                    if (termGuide == null) termGuide = new TermGuide(new ExpectedPsi(math.basis()), d);
                    spans[i] = termGuide.spans(s, qbar[i], r.queryTokens(), o.spans(), spans[i]);
                }
                if (o.includeShortTerm() && s.shortTermCount() > 0) {
                    ShortTermMemory.Out st;
                    try (NDManager sm = m.newSubManager()) {
                        st = ShortTermMemory.attend(
                                staging.upload(sm, SLOT_STM, s.shortTermRef(), 0, new Shape(s.shortTermCount(), d)),
                                qbar[i],
                                cfg.temperature(),
                                cfg.cosineKeys());
                    }
                    stmCtx[i] = st.context();
                    Integer[] order = new Integer[s.shortTermCount()];
                    for (int j = 0; j < order.length; j++) order[j] = j;
                    float[] w = st.weights();
                    Arrays.sort(order, (a, b) -> Float.compare(w[b], w[a]));
                    long firstIdx = s.tokensAbsorbed() - s.shortTermCount();
                    List<String> toks = s.shortTermTokens();
                    for (int j = 0; j < Math.min(o.spans(), order.length); j++) {
                        int k = order[j];
                        hits[i].add(new ShortTermHit(
                                firstIdx + k,
                                st.cosines()[k],
                                w[k],
                                toks.get(k),
                                s.timeline().sourceOf(firstIdx + k)));
                    }
                }
            }
        }
        List<ReadResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ReadRequest r = requests.get(i);
            ReadOptions o = r.options() == null ? ReadOptions.defaults() : r.options();
            float[] ctx = null;
            if (o.includeContext()) {
                if (o.head() == AttentionHeadKind.TRAINED || stmCtx[i] == null) ctx = ltmCtx[i];
                else if (ltmCtx[i] == null) ctx = stmCtx[i];
                else ctx = mix(qbar[i], ltmCtx[i], stmCtx[i], cfg.temperature());
            }
            out.add(new ReadResult(
                    Collections.unmodifiableList(spans[i]),
                    ctx,
                    Collections.unmodifiableList(hits[i]),
                    cfg.sticky() ? hist[i] : null));
        }
        return out;
    }

    private void hostZeroShot(
            List<ReadRequest> requests,
            List<Integer> zs,
            float[][] qbar,
            List<Span>[] spans,
            float[][] ltmCtx,
            double[][] hist) {
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
            for (int x = 0; x < qs.length; x++) {
                ReadRequest r = requests.get(members.get(x));
                qs[x] = qbar[members.get(x)];
                k[x] = (r.options() == null ? ReadOptions.defaults() : r.options()).spans();
            }
            HostZeroShot.Out[] outs = host.read(ready.keysTransposedRef(), ready.coefficientsRef(), qs, k, filled);
            for (int x = 0; x < qs.length; x++) {
                int i = members.get(x);
                HostZeroShot.Out o = outs[x];
                ltmCtx[i] = o.context();
                hist[i] = o.histogram();
                for (int t = 0; t < o.fits().size(); t++) {
                    spans[i].add(span(requests.get(i).state(), o.fits().get(t), o.scores()[t]));
                }
            }
        });
    }

    private void zeroShotGroup(
            NDManager m,
            List<ReadRequest> requests,
            List<Integer> zs,
            float[][] qbar,
            List<Span>[] spans,
            float[][] ltmCtx,
            double[][] hist) {
        int k = zs.size(), d = cfg.dim(), nb = cfg.basisSize();
        float[] qall = new float[k * d];
        float[] filled = new float[k];
        staging.begin(SLOT_B, k * nb * d);
        for (int j = 0; j < k; j++) {
            staging.put(SLOT_B, j * nb * d, requests.get(zs.get(j)).state().coefficientsRef(), 0, nb * d);
            System.arraycopy(qbar[zs.get(j)], 0, qall, j * d, d);
            filled[j] = (float) requests.get(zs.get(j)).state().timeline().filledUpTo();
        }
        NDArray b = staging.finish(m, SLOT_B, new Shape(k, nb, d));
        NDArray q = m.create(qall, new Shape(k, d));
        ContinuousAttention.ZeroShot z = ContinuousAttention.zeroShot(
                math, b, q, m.create(filled), cfg.temperature(), cfg.sigma2Min(), cfg.cosineKeys());
        int rb = math.profileBins();
        float[] prof = z.a().matMul(math.profileBinMass()).toFloatArray();
        double[] ref = math.profileReference(); // uniform attention's profile, mean 1
        float[] h =
                cfg.sticky() ? z.a().matMul(math.basisBinMass(cfg.stickyBins())).toFloatArray() : null;
        float[] ctx = z.ctx().toFloatArray();
        int kmax = 1;
        List<List<double[]>> fits = new ArrayList<>(k);
        for (int j = 0; j < k; j++) {
            int i = zs.get(j);
            double[] pm = new double[rb];
            for (int t = 0; t < rb; t++) pm[t] = prof[j * rb + t];
            double[] dens = new double[rb];
            for (int t = 0; t < rb; t++) dens[t] = pm[t] / ref[t];
            List<double[]> f = SpanFitter.withoutBasisBlur(
                    SpanFitter.modes(dens, pm, requests.get(i).options().spans()), math.basis());
            fits.add(f);
            kmax = Math.max(kmax, f.size());
            ltmCtx[i] = Arrays.copyOfRange(ctx, j * d, (j + 1) * d);
            if (h != null) {
                int nd = cfg.stickyBins();
                hist[i] = new double[nd];
                for (int t = 0; t < nd; t++) hist[i][t] = h[j * nd + t];
            }
        }
        float[] smu = new float[k * kmax], ss2 = new float[k * kmax];
        Arrays.fill(smu, 0.5f);
        Arrays.fill(ss2, 1f);
        for (int j = 0; j < k; j++) {
            List<double[]> f = fits.get(j);
            for (int t = 0; t < f.size(); t++) {
                smu[j * kmax + t] = (float) f.get(t)[0];
                ss2[j * kmax + t] = (float) (f.get(t)[1] * f.get(t)[1]);
            }
        }
        NDArray r = math.expectedPsi(m.create(smu), m.create(ss2)).reshape(k, kmax, nb);
        NDArray c = r.batchMatMul(b); // [K, kmax, d]
        NDArray dots = c.batchMatMul(q.reshape(k, d, 1)).reshape(k, kmax);
        NDArray norms =
                c.norm(new int[] {2}).mul(q.norm(new int[] {1}).reshape(k, 1)).maximum(1e-30f);
        float[] cos = dots.div(norms).toFloatArray();
        for (int j = 0; j < k; j++) {
            int i = zs.get(j);
            List<double[]> f = fits.get(j);
            for (int t = 0; t < f.size(); t++) {
                spans[i].add(span(requests.get(i).state(), f.get(t), cos[j * kmax + t]));
            }
        }
    }

    private void trainedOne(
            NDManager m,
            ReadRequest r,
            float[] qbar,
            int nSpans,
            List<Span>[] spans,
            float[][] ltmCtx,
            double[][] hist,
            int i) {
        int e = cfg.dim(), nb = cfg.basisSize();
        int heads = trained.heads(), dh = e / heads, nq = r.queryCount();
        NDArray b = staging.upload(m, SLOT_B1, r.state().coefficientsRef(), 0, new Shape(nb, e));
        NDArray q = m.create(FloatBuffer.wrap(r.query(), 0, nq * e), new Shape(nq, heads, dh))
                .transpose(1, 0, 2);
        ContinuousAttention.Trained t = ContinuousAttention.trained(
                math, b, q, trainedDev[0], trainedDev[1], trainedDev[2], trainedDev[3], trainedDev[4], cfg.sigma2Min());
        ltmCtx[i] = t.z().toFloatArray();
        NDArray mu = t.mu().reshape(-1);
        NDArray sd = t.s2().reshape(-1).sqrt();
        double[] prof = DeviceMath.gaussianBinMass(mu, sd, RidgeSolver.linspace(0, 1, math.profileBins() + 1))
                .sum(new int[] {0})
                .toDoubleArray();
        if (cfg.sticky()) {
            hist[i] = DeviceMath.gaussianBinMass(mu, sd, DeviceMath.stickyEdges(cfg.stickyBins()))
                    .sum(new int[] {0})
                    .toDoubleArray();
        }
        List<double[]> f = SpanFitter.fit(prof, nSpans);
        if (f.isEmpty()) return;
        float[] smu = new float[f.size()], ss2 = new float[f.size()];
        for (int j = 0; j < f.size(); j++) {
            smu[j] = (float) f.get(j)[0];
            ss2[j] = (float) (f.get(j)[1] * f.get(j)[1]);
        }
        NDArray c = math.expectedPsi(m.create(smu), m.create(ss2)).matMul(b); // [S, e]
        NDArray qq = m.create(qbar, new Shape(e, 1));
        float[] cos = c.matMul(qq)
                .reshape(-1)
                .div(c.norm(new int[] {1}).mul(qq.norm()).maximum(1e-30f))
                .toFloatArray();
        for (int j = 0; j < f.size(); j++) spans[i].add(span(r.state(), f.get(j), cos[j]));
    }

    private static Span span(MemoryState s, double[] f, double score) {
        Timeline tl = s.timeline();
        long maxTok = Math.max(0, s.longTermTokens() - 1);
        double a = tl.tokenAt(f[0] - f[1]), b = tl.tokenAt(f[0] + f[1]);
        long start = Double.isNaN(a) ? 0 : Math.max(0, Math.min(maxTok, (long) Math.floor(a)));
        long end = Double.isNaN(b) ? maxTok : Math.max(start, Math.min(maxTok, (long) Math.ceil(b)));
        return new Span(f[0], f[1], score, f[2], start, end, tl.sourceOf(start), tl.lastSourceOf(end));
    }

    private static float[] mix(float[] q, float[] a, float[] b, double temperature) {
        double ca = cos(q, a), cb = cos(q, b);
        double mx = Math.max(ca, cb);
        double wa = Math.exp((ca - mx) / temperature), wb = Math.exp((cb - mx) / temperature);
        double s = wa + wb;
        float[] c = new float[a.length];
        for (int i = 0; i < c.length; i++) c[i] = (float) ((wa * a[i] + wb * b[i]) / s);
        return c;
    }

    private static double cos(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * (double) b[i];
            aa += a[i] * (double) a[i];
            bb += b[i] * (double) b[i];
        }
        return ab / Math.max(1e-30, Math.sqrt(aa * bb));
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T>[] newLists(int n) {
        List<T>[] a = new List[n];
        for (int i = 0; i < n; i++) a[i] = new ArrayList<>();
        return a;
    }

    /** Adds the read's attention histogram to the state's sticky statistics (no-op when not sticky). */
    public MemoryState recordRead(MemoryState state, ReadResult r) {
        return cfg.sticky() ? state.plusReads(r.attentionHistogram()) : state;
    }

    @Override
    public void close() {
        root.close();
    }
}
