package io.ltm.model.tools;

import io.ltm.model.MemoryConfig;
import io.ltm.model.TermFilter;
import io.ltm.model.encoder.EncodedText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The memory's {@link TermFilter} alone (the same geometry as the memory's), answering with its best-matching
 * segments and boundaries (as {@link io.ltm.model.LongTermMemory}'s reads place them), ties in stream order: what the
 * filter gives without the continuous memory's ranking.
 */
final class TermFilterLocator implements Locator {
    private final TermFilter.Builder filter;
    private TermFilter frozen;
    private long end;

    TermFilterLocator(MemoryConfig cfg) {
        this.filter =
                TermFilter.empty(
                        cfg.termSegments(), cfg.termSegmentBits(), cfg.termHashes(), cfg.termFirstSegmentTokens())
                        .toBuilder();
    }

    @Override
    public String name() {
        return "term-filter";
    }

    @Override
    public void add(float[] tokens, int count, float[] mean, long start, long end) {
        throw new UnsupportedOperationException("the term filter needs the token texts");
    }

    @Override
    public void add(EncodedText e, float[] mean, long start) {
        for (int i = 0; i < e.count(); i++) filter.add(start + i, e.tokens().get(i));
        end = start + e.count();
    }

    @Override
    public void finish() {
        frozen = filter.build();
    }

    @Override
    public List<Located> top(float[] query, int k) {
        return List.of();
    }

    @Override
    public List<Located> top(float[] query, List<String> queryTokens, int k) {
        TermFilter.Match m = frozen.match(queryTokens);
        double[] s = m.segments(), edge = m.boundaries();
        long c = frozen.segmentTokens();
        List<Located> segs = new ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            long a = frozen.segmentStart(i);
            segs.add(new Located(a, Math.min(end, a + c), s[i]));
        }
        for (int i = 0; i < edge.length; i++) {
            if (edge[i] <= 0) continue;
            long a = frozen.segmentStart(i + 1) - c / 2;
            segs.add(new Located(a, Math.min(end, a + c), edge[i]));
        }
        segs.sort(Comparator.comparingDouble(Located::score).reversed());
        return segs.subList(0, Math.min(k, segs.size()));
    }

    @Override
    public long stateBytes() {
        return frozen.bytes();
    }
}
