package io.ltm.model.tools;

import io.ltm.model.AttentionHeadKind;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadRequest;
import io.ltm.model.ReadResult;
import io.ltm.model.Span;
import io.ltm.model.TokenBatch;
import io.ltm.model.TokenSource;
import io.ltm.model.encoder.EncodedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The memory as a {@link Locator}: events (vectors and token texts) are absorbed in batches of at least {@link #FLUSH}
 * tokens (the memory contracts every L tokens whatever the batching); a query is a zero-shot read with spans = k,
 * the query's token texts and without the short-term buffer, each span [tokenStart, tokenEnd] with its term match
 * (its cosine score when the read had no terms). State bytes: B at the configured precision, N·d·2 for float16, plus
 * the term filter (the short-term buffer of &lt; L exact tokens is not read and not counted; see
 * {@link #shortTermBytes()}).
 */
final class MemoryLocator implements Locator {
    static final int FLUSH = 4096;
    private final MemoryConfig cfg;
    private final LongTermMemory ltm;
    private MemoryState state;
    private float[] buf;
    private final List<String> bufTokens = new ArrayList<>();
    private int buffered;
    private long bufStart = -1;

    MemoryLocator(MemoryConfig cfg) {
        this.cfg = cfg;
        this.ltm = LongTermMemory.create(cfg);
        this.state = MemoryState.empty(cfg);
        this.buf = new float[FLUSH * 2 * cfg.dim()];
    }

    /** Bytes of B at the configured precision, N·d·(2 or 4), plus those of the term filter. */
    static long stateBytes(MemoryConfig cfg) {
        return (long) cfg.basisSize() * cfg.dim() * cfg.precision().bytes()
                + (long) cfg.termSegments() * cfg.termSegmentBits() / Byte.SIZE;
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
    public void add(EncodedText e, float[] mean, long start) {
        bufTokens.addAll(e.tokens());
        append(e.vectors(), e.count(), start);
    }

    @Override
    public void add(float[] tokens, int count, float[] mean, long start, long end) {
        bufTokens.addAll(java.util.Collections.nCopies(count, null));
        append(tokens, count, start);
    }

    private void append(float[] tokens, int count, long start) {
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
                        new ArrayList<>(bufTokens),
                        new TokenSource("bench", 0, bufStart, 0, null)));
        buffered = 0;
        bufTokens.clear();
        bufStart = -1;
    }

    @Override
    public void finish() {
        flush();
    }

    @Override
    public List<Located> top(float[] q, int k) {
        return top(q, null, k);
    }

    /** Spans placed by the term filter when the query's tokens are given; scored by term match then, else by cosine. */
    @Override
    public List<Located> top(float[] q, List<String> queryTokens, int k) {
        List<Located> out = new ArrayList<>();
        for (Span s : read(q, queryTokens, k).spans())
            out.add(new Located(s.tokenStart(), s.tokenEnd() + 1, s.termMatch() >= 0 ? s.termMatch() : s.score()));
        return out;
    }

    ReadResult read(float[] q, List<String> queryTokens, int k) {
        return ltm.readBatch(List.of(new ReadRequest(
                        null, state, q, 1, new ReadOptions(k, false, false, AttentionHeadKind.ZERO_SHOT), queryTokens)))
                .get(0);
    }

    @Override
    public long stateBytes() {
        return stateBytes(cfg);
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
