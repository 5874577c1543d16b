package io.ltm.model.tools;

import io.ltm.model.AttentionHeadKind;
import io.ltm.model.CoefficientPrecision;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadResult;
import io.ltm.model.Span;
import io.ltm.model.TokenBatch;
import io.ltm.model.TokenSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The memory as a {@link Locator}: events are absorbed in batches of at least {@link #FLUSH} tokens (the memory
 * contracts every L tokens whatever the batching); a query is a zero-shot read with spans = k and without the
 * short-term buffer, each span [tokenStart, tokenEnd] with its score. State bytes: B at the configured precision,
 * N·d·2 for float16 (the short-term buffer of &lt; L exact tokens is not read and not counted; see
 * {@link #shortTermBytes()}).
 */
final class MemoryLocator implements Locator {
    static final int FLUSH = 4096;
    private final MemoryConfig cfg;
    private final LongTermMemory ltm;
    private MemoryState state;
    private float[] buf;
    private int buffered;
    private long bufStart = -1;

    MemoryLocator(MemoryConfig cfg) {
        this.cfg = cfg;
        this.ltm = LongTermMemory.create(cfg);
        this.state = MemoryState.empty(cfg);
        this.buf = new float[FLUSH * 2 * cfg.dim()];
    }

    /** Bytes of B at the configured precision: N·d·(2 or 4). */
    static long coefficientBytes(MemoryConfig cfg) {
        return (long) cfg.basisSize() * cfg.dim() * (cfg.precision() == CoefficientPrecision.FLOAT16 ? 2 : 4);
    }

    @Override
    public String name() {
        return "memory-" + cfg.retention().name().toLowerCase(java.util.Locale.ROOT);
    }

    MemoryState state() {
        return state;
    }

    LongTermMemory engine() {
        return ltm;
    }

    @Override
    public void add(float[] tokens, int count, float[] mean, long start, long end) {
        int d = cfg.dim();
        if (bufStart < 0) bufStart = start;
        if ((buffered + count) * d > buf.length)
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, (buffered + count) * d));
        System.arraycopy(tokens, 0, buf, buffered * d, count * d);
        buffered += count;
        if (buffered >= FLUSH) flush();
    }

    private void flush() {
        if (buffered == 0) return;
        state = ltm.absorb(
                state,
                new TokenBatch(
                        Arrays.copyOf(buf, buffered * cfg.dim()),
                        buffered,
                        null,
                        new TokenSource("bench", 0, bufStart, 0, null)));
        buffered = 0;
        bufStart = -1;
    }

    @Override
    public void finish() {
        flush();
    }

    @Override
    public List<Located> top(float[] q, int k) {
        ReadResult r = ltm.read(state, q, 1, new ReadOptions(k, false, false, AttentionHeadKind.ZERO_SHOT));
        List<Located> out = new ArrayList<>();
        for (Span s : r.spans()) out.add(new Located(s.tokenStart(), s.tokenEnd() + 1, s.score()));
        return out;
    }

    @Override
    public long stateBytes() {
        return coefficientBytes(cfg);
    }

    /** Bytes of the short-term buffer at float16 (not read by the benchmark, not counted in stateBytes). */
    long shortTermBytes() {
        return 2L * state.shortTermCount() * cfg.dim();
    }

    @Override
    public void close() {
        ltm.close();
    }
}
