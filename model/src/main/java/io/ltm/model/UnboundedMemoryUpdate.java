package io.ltm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ltm.model.internal.Retention;
import io.ltm.model.internal.Staging;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;

/**
 * The ∞-former's unbounded memory (Martins et al. 2022, §3.2) for one configuration: token vectors wait in the
 * short-term buffer; every L of them are contracted into B by the configured {@link Retention} policy, which samples
 * the old signal (sticky memories, §3.3, where configured), refits B by ridge regression and moves the timeline. The
 * term filter indexes the contracted tokens at their true positions. Not thread-safe (one per engine).
 */
final class UnboundedMemoryUpdate {
    private static final int SLOT_B = 0, SLOT_X = 1;

    private final MemoryConfig cfg;
    private final NDManager root;
    private final Staging staging = new Staging();
    private final Retention retention;
    private LongFunction<RandomGenerator> random = SplittableRandom::new;

    UnboundedMemoryUpdate(MemoryConfig cfg, MemoryEngine engine) {
        this.cfg = cfg;
        this.root = engine.manager();
        this.retention = Retention.of(cfg, engine.math(), seed -> random.apply(seed));
    }

    /** See {@link LongTermMemory#setRandomSource}. */
    void setRandomSource(LongFunction<RandomGenerator> factory) {
        this.random = factory == null ? SplittableRandom::new : factory;
    }

    /** See {@link LongTermMemory#absorb}. */
    MemoryState absorb(MemoryState s, TokenBatch b) {
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
                    if (bArr == null && coef != null && retention.readsCoefficients(at, tl)) {
                        coef = coef.plus(deltas);
                        deltas.clear();
                        bArr = staging.upload(m, SLOT_B, coef.coefficients(), 0, new Shape(cfg.basisSize(), d));
                    }
                    NDArray x = rows(m, prev, sc, add, off, l, d);
                    Retention.Step step = retention.contract(bArr, x, at, tl, sticky, contractions);
                    if (step.delta() != null) {
                        if (bArr != null) coef = CoefficientLog.of(bArr.toFloatArray(), cfg);
                        // a new memory whose first epoch is longer than a contraction: B begins as zeros
                        else if (coef == null) coef = CoefficientLog.zeros(cfg);
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

    /** Adds the read's attention histogram to the state's sticky statistics (no-op when not sticky). */
    MemoryState recordRead(MemoryState state, ReadResult r) {
        return cfg.sticky() ? state.plusReads(r.attentionHistogram()) : state;
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
}
