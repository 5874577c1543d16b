package io.ltm.model;

import ai.djl.ndarray.NDManager;
import io.ltm.model.internal.ExpectedPsi;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The read of a batch of queries (Martins et al. 2022, §3.1): each request's long-term part by its head (the
 * {@link ZeroShotRead}, reads batched together, or the {@link TrainedHeadRead}), its spans placed by the
 * {@link TermGuide} where the memory keeps a term filter and the request carries the query's token texts, and its
 * short-term part ({@link ShortTermRead}).
 *
 * <p><b>Query pooling.</b> The zero-shot head pools the queryCount query vectors by their mean q̄ (no normalisation):
 * one query per read. The trained head uses every query vector as is.
 *
 * <p><b>Context.</b> Zero-shot: c_LTM, mixed with c_STM when the short-term buffer is included. Trained: the head's Z
 * (long-term only, as in the paper; short-term hits are still listed). Not thread-safe (one per engine).
 */
final class MemoryRead {
    /** Reads in a batch from which query pooling is spread over the cores. */
    private static final int PARALLEL_POOLING = 64;

    private final MemoryConfig cfg;
    private final NDManager root;
    private final ZeroShotRead zeroShot;
    private final TrainedHeadRead trained;
    private final ShortTermRead shortTerm;
    private final TermGuide termGuide;

    MemoryRead(MemoryConfig cfg, MemoryEngine engine) {
        this.cfg = cfg;
        this.root = engine.manager();
        this.zeroShot = new ZeroShotRead(cfg, engine);
        this.trained = new TrainedHeadRead(cfg, engine);
        this.shortTerm = new ShortTermRead(cfg);
        this.termGuide = new TermGuide(new ExpectedPsi(engine.math().basis()), cfg.dim());
    }

    ZeroShotRead zeroShot() {
        return zeroShot;
    }

    TrainedHeadRead trained() {
        return trained;
    }

    /** See {@link LongTermMemory#readBatch}. */
    List<ReadResult> readBatch(List<ReadRequest> requests) {
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
            ReadOptions o = r.options() == null ? ReadOptions.defaults() : r.options();
            if (o.head() == AttentionHeadKind.TRAINED && trained.weights() == null)
                throw new IllegalStateException("TRAINED head requested but no TrainedHeadWeights set on the engine");
            if (r.state().hasLongTerm() && o.head() == AttentionHeadKind.ZERO_SHOT) zs.add(i);
        }
        // pooling was the largest serial part of a batch read on a GPU (profile of batches of 4096): large batches
        // pool on all cores; a small one stays on this thread, where the fork-join handoff would cost more
        (n >= PARALLEL_POOLING ? IntStream.range(0, n).parallel() : IntStream.range(0, n))
                .forEach(i -> qbar[i] = ExactRerank.pool(
                        requests.get(i).query(), requests.get(i).queryCount(), d));
        Batch batch = new Batch(requests, qbar, spans, ltmCtx, hist);
        List<ShortTermHit>[] hits = newLists(n);
        float[][] stmCtx = new float[n][];
        try (NDManager m = root.newSubManager()) {
            if (!zs.isEmpty()) zeroShot.read(m, batch, zs);
            for (int i = 0; i < n; i++) {
                ReadRequest r = requests.get(i);
                ReadOptions o = r.options() == null ? ReadOptions.defaults() : r.options();
                if (r.state().hasLongTerm() && o.head() == AttentionHeadKind.TRAINED)
                    trained.read(m, batch, i, o.spans());
                MemoryState s = r.state();
                if (r.queryTokens() != null && s.terms() != null)
                    spans[i] = termGuide.spans(s, qbar[i], r.queryTokens(), o.spans(), spans[i]);
                if (o.includeShortTerm() && s.shortTermCount() > 0)
                    stmCtx[i] = shortTerm.read(s, qbar[i], o.spans(), hits[i], o.includeContext());
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
                else ctx = ShortTermRead.mix(qbar[i], ltmCtx[i], stmCtx[i], cfg.temperature());
            }
            out.add(new ReadResult(
                    Collections.unmodifiableList(spans[i]),
                    ctx,
                    Collections.unmodifiableList(hits[i]),
                    cfg.sticky() ? hist[i] : null));
        }
        return out;
    }

    /**
     * The requests of a batch with their pooled queries, and what their long-term reads found, by request index: spans,
     * context and sticky histogram. Each read writes only its own requests' entries.
     */
    record Batch(List<ReadRequest> requests, float[][] qbar, List<Span>[] spans, float[][] ltmCtx, double[][] hist) {}

    @SuppressWarnings("unchecked")
    private static <T> List<T>[] newLists(int n) {
        List<T>[] a = new List[n];
        for (int i = 0; i < n; i++) a[i] = new ArrayList<>();
        return a;
    }
}
