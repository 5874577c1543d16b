package io.ltm.model.tools;

import io.ltm.model.ExactRerank;
import io.ltm.model.MemoryConfig;
import io.ltm.model.ReadResult;
import io.ltm.model.RereadWindow;
import io.ltm.model.Span;
import io.ltm.model.TermFilter;
import io.ltm.model.encoder.EncodedText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory with the two-stage read: its top-k spans say where to look, each span's {@link RereadWindow} of
 * {@code budget} tokens is re-read from the log (here an {@link ExactIndex} of every event's mean vector with the
 * event's terms, standing in for the Kafka topic) and its events ranked by {@link ExactRerank} as the reread worker
 * ranks them; the answer is the k best events. State bytes are the memory's: the log is Kafka's, not the key's
 * state. {@link #tokensReread()} counts what the second stage read.
 */
final class RereadLocator implements Locator {
    private final MemoryLocator memory;
    private final ExactIndex log;
    /** Each event's distinct terms, the strings shared between events. */
    private final List<List<String>> terms = new ArrayList<>();

    private final Map<String, String> canonical = new HashMap<>();
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
        terms.add(null);
    }

    @Override
    public void add(EncodedText e, float[] mean, long start) {
        memory.add(e, mean, start);
        log.add(e.vectors(), e.count(), mean, start, start + e.count());
        List<String> t = new ArrayList<>();
        for (String x : TermFilter.terms(e.tokens())) t.add(canonical.computeIfAbsent(x, k -> k));
        terms.add(t);
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
        queries++;
        List<int[]> windows = new ArrayList<>();
        for (Span s : r.spans()) {
            RereadWindow w = RereadWindow.of(s, memory.state(), budget);
            if (w == null) continue;
            reread += w.tokens();
            windows.add(log.within(w.tokenStart(), w.tokenEnd()));
        }
        // overlapping windows are read once, as the reread worker merges them
        java.util.Set<Integer> events = new java.util.TreeSet<>();
        for (int[] w : windows) {
            java.util.stream.IntStream.range(w[0], w[1]).forEach(events::add);
        }
        List<Integer> ids = new ArrayList<>(events);
        List<ExactRerank.Candidate> candidates = new ArrayList<>(ids.size());
        for (int i : ids) candidates.add(new ExactRerank.Candidate(log.mean(i), 1, terms.get(i)));
        double[] scores = ExactRerank.scores(q, queryTokens, candidates);
        List<Located> found = new ArrayList<>(ids.size());
        for (int x = 0; x < ids.size(); x++)
            found.add(new Located(log.start(ids.get(x)), log.end(ids.get(x)), scores[x]));
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
