package io.ltm.topology.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ltm.model.CoefficientLog;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.internal.Basis;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.NoveltyScore;
import io.ltm.topology.codec.MemoryStateCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Novelty scores in the ingest processor (see {@link Novelty} for the definition). Per event it reads only the key's
 * small summary (store {@value Names#STORE_NOVELTY}, written once per contraction) and compares with the mean vectors of
 * the events in the short-term buffer, which it keeps in a per-task cache (rebuilt from the short-term store on a
 * miss, at most {@value #MAX_RECENT} newest events per key, {@value #MAX_CACHED_KEYS} keys); the summaries it wrote
 * are cached too ({@value #MAX_CACHED_SUMMARIES} keys), so a warm key costs only the dot products; so is the part of
 * each summary that reads B's base, which the key's next summaries reuse until a new base is taken. Each cache keeps its
 * entries by Caffeine's W-TinyLFU, as {@code BytesBoundedMap} does: keys arrive in turn, and once more keys than fit do,
 * least recently used eviction would drop each key just before its next event (530 keys in turn over one task cost a
 * third more per event than 500 with it, docs/bench-2026-12-06-caches).
 *
 * <p>A summary is a function of the long-term memory, so its store has no changelog: one found is used only when it
 * names the long-term record the key's index names (a restore, a rebalance or a rolled-back transaction leaves the
 * local store without the summary or with one of another record), and is otherwise made again from the memory.
 */
final class NoveltyTracker {

    static final int MAX_RECENT = 64;
    static final int MAX_CACHED_KEYS = 512;
    /** Keys whose decoded summary (up to 98 KB each by default) is kept in memory: 128 keys, about 13 MB per task. */
    static final int MAX_CACHED_SUMMARIES = 128;

    private final KeyValueStore<String, byte[]> store;
    private final MemoryStores stores;
    private final Basis basis;
    private final int dim;
    /** The short-term events' means of a key, valid while the key's short-term buffer holds {@code tokens} tokens. */
    private static final class Recent {
        int tokens;
        final List<float[]> means = new ArrayList<>();
    }

    private final Cache<String, Recent> recent = cache(MAX_CACHED_KEYS);

    /** The summaries this processor wrote, read or made (each names its long-term record). */
    private final Cache<String, Novelty.Summary> summaries = cache(MAX_CACHED_SUMMARIES);

    /**
     * The base's part of the last summary's keys per key ({@link Novelty.BaseSums}: K·d floats, 98 KB at defaults;
     * valid only for the same base array, so never for a B decoded again, after a restart or a restore).
     */
    private final Cache<String, Novelty.BaseSums> baseSums = cache(MAX_CACHED_SUMMARIES);

    /** At most {@code entries} values, evicted in the calling thread (a task's caches are its stream thread's alone). */
    private static <V> Cache<String, V> cache(int entries) {
        return Caffeine.newBuilder()
                .maximumSize(entries)
                .executor(Runnable::run)
                .build();
    }

    NoveltyTracker(ProcessorContext<?, ?> context, MemoryStores stores, MemoryConfig config) {
        this.store = context.getStateStore(Names.STORE_NOVELTY);
        this.stores = stores;
        this.basis = Basis.of(config.basisSize(), config.widths());
        this.dim = config.dim();
    }

    /** The event's novelty against the key's memory before it, and its unit mean vector (for {@link #after}). */
    record Scored(NoveltyScore record, float[] mean) {}

    /**
     * {@code idx}: the key's short-term index, null when it had none (new, or forgotten since: cached state is not
     * trusted).
     */
    Scored score(String key, EncodedTokens event, float[] vectors, int count, ShortTermIndex idx) {
        float[] mean = Novelty.unitMean(vectors, count, dim);
        Novelty.Summary summary = summary(key, idx);
        int shortTermTokens = idx == null ? 0 : idx.tokens();
        Novelty.Score s = Novelty.score(mean, summary, recent(key, shortTermTokens));
        NoveltyScore r = NoveltyScore.newBuilder()
                .setKey(key)
                .setNovelty(s.novelty())
                .setBestCosine(Double.isNaN(s.bestCosine()) ? null : s.bestCosine())
                .setNearestT(Double.isNaN(s.nearestT()) ? null : s.nearestT())
                .setSource(event.getSource())
                .setTokenCount(count)
                .setMemoryTokens(summary.tokens() + shortTermTokens)
                .setText(event.getText())
                .setScoredAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                .build();
        return new Scored(r, mean);
    }

    /** After the event (count tokens) was buffered in the short-term store. */
    void buffered(String key, float[] mean, int count) {
        Recent r = recent.getIfPresent(key);
        if (r == null) {
            return;
        }
        r.tokens += count;
        r.means.add(mean);
        if (r.means.size() > MAX_RECENT) {
            r.means.remove(0);
        }
    }

    /**
     * The key's summary of the long-term record its index names: the cached one, the stored one, or one made again
     * from the memory (and stored) when neither names that record.
     */
    private Novelty.Summary summary(String key, ShortTermIndex idx) {
        // no index: a new or forgotten key (forget deletes the index with the memory); no contraction: no long-term
        // part
        if (idx == null || idx.contractions() == 0) return Novelty.Summary.decode(null, dim);
        long id = idx.longTerm();
        Novelty.Summary summary = summaries.getIfPresent(key);
        if (summary != null && summary.longTerm() == id) return summary;
        byte[] stored = store.get(key);
        summary = stored == null ? null : Novelty.Summary.decode(stored, dim);
        if (summary == null || summary.longTerm() != id) {
            MemoryState longTerm = stores.longTermWithoutTerms(key, idx);
            if (longTerm == null) return Novelty.Summary.decode(null, dim);
            summary = made(key, longTerm, longTerm.coefficientLog(), id);
        }
        summaries.put(key, summary);
        return summary;
    }

    /**
     * Makes the key's summary of {@code longTerm} with B as stored ({@code b}), the long-term record of id {@code id},
     * and stores it: made at a contraction or again from the stores, it has the same bits.
     */
    private Novelty.Summary made(String key, MemoryState longTerm, CoefficientLog b, long id) {
        Novelty.Made made = Novelty.summary(longTerm, b, id, basis, Novelty.MAX_KEYS, baseSums.getIfPresent(key));
        if (made.baseSums() == null) baseSums.invalidate(key);
        else baseSums.put(key, made.baseSums());
        store.put(key, made.bytes());
        return made.summary();
    }

    /**
     * After a contraction that wrote the long-term record {@code longTermId} with B as {@code written}: new long-term
     * keys; the short-term buffer now holds only the event's tail (if any).
     */
    void contracted(String key, MemoryState next, CoefficientLog written, long longTermId, float[] mean) {
        summaries.put(key, made(key, next, written, longTermId));
        Recent r = new Recent();
        r.tokens = next.shortTermCount();
        if (next.shortTermCount() > 0) {
            r.means.add(Novelty.unitMean(next.shortTermVectors(), next.shortTermCount(), dim));
        }
        recent.put(key, r);
    }

    /** The cached means, rebuilt from the short-term store when missing or stale (after a restart, a forget). */
    private List<float[]> recent(String key, int shortTermTokens) {
        Recent r = recent.getIfPresent(key);
        if (r == null || r.tokens != shortTermTokens) {
            r = new Recent();
            if (shortTermTokens > 0) {
                for (EncodedTokens e : stores.shortTermRecords(key, null)) {
                    int n = e.getVectors().getCount();
                    r.tokens += n;
                    r.means.add(Novelty.unitMean(
                            MemoryStateCodec.unblock(
                                    e.getVectors(), n, e.getVectors().getDim()),
                            n,
                            dim));
                }
                while (r.means.size() > MAX_RECENT) {
                    r.means.remove(0);
                }
            }
            recent.put(key, r);
        }
        return r.means;
    }
}
