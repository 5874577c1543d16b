package io.ltm.model.tools;

import io.ltm.model.MemoryConfig;
import io.ltm.model.ReadResult;
import io.ltm.model.RereadWindow;
import io.ltm.model.Span;
import io.ltm.model.encoder.EncodedText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The memory with the two-stage read: its top-k spans say where to look, each span's {@link RereadWindow} of
 * {@code budget} tokens is re-read from the log (here an {@link ExactIndex} of every event, standing in for the
 * Kafka topic) and its events ranked exactly; the answer is the k best events. State bytes are the memory's: the
 * log is Kafka's, not the key's state. {@link #tokensReread()} counts what the second stage read.
 */
final class RereadLocator implements Locator {
    private final MemoryLocator memory;
    private final ExactIndex log;
    private final long budget;
    private long reread;
    private long queries;

    RereadLocator(MemoryConfig cfg, long budget) {
        this.memory = new MemoryLocator(cfg);
        this.log = new ExactIndex(cfg.dim());
        this.budget = budget;
    }

    @Override
    public String name() {
        return memory.name() + "+reread";
    }

    @Override
    public void add(float[] tokens, int count, float[] mean, long start, long end) {
        memory.add(tokens, count, mean, start, end);
        log.add(tokens, count, mean, start, end);
    }

    @Override
    public void add(EncodedText e, float[] mean, long start) {
        memory.add(e, mean, start);
        log.add(e.vectors(), e.count(), mean, start, start + e.count());
    }

    @Override
    public void finish() {
        memory.finish();
    }

    @Override
    public List<Located> top(float[] q, int k) {
        return top(q, null, k);
    }

    @Override
    public List<Located> top(float[] q, List<String> queryTokens, int k) {
        ReadResult r = memory.read(q, queryTokens, k);
        List<Located> found = new ArrayList<>();
        queries++;
        for (Span s : r.spans()) {
            RereadWindow w = RereadWindow.of(s, memory.state(), budget);
            if (w == null) continue;
            reread += w.tokens();
            for (Located x : log.topWithin(q, k, w.tokenStart(), w.tokenEnd())) {
                if (found.stream().noneMatch(y -> y.start() == x.start())) found.add(x);
            }
        }
        found.sort(Comparator.comparingDouble(Located::score).reversed());
        return found.size() > k ? found.subList(0, k) : found;
    }

    /** Mean tokens re-read per query so far. */
    double tokensReread() {
        return queries == 0 ? 0 : (double) reread / queries;
    }

    long budget() {
        return budget;
    }

    @Override
    public long stateBytes() {
        return memory.stateBytes();
    }

    @Override
    public void close() {
        memory.close();
    }
}
