package io.ltm.topology.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.MemoryStateCodec;
import io.ltm.model.ReadyMemory;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.model.TokenSource;
import io.ltm.schemas.EncodedTokens;

/**
 * The four stores that together hold one key's memory, and how they combine into one {@link MemoryState}:
 * the long-term part (rewritten once per contraction), the append-only short-term records, their index,
 * and the sticky attention statistics.
 */
public final class MemoryStores {

    final KeyValueStore<String, io.ltm.schemas.MemoryState> memory;
    final KeyValueStore<String, EncodedTokens> shortTerm;
    final KeyValueStore<String, ShortTermIndex> index;
    final KeyValueStore<String, double[]> attention;
    /** The novelty summaries, or null when the topology has no novelty store. */
    final KeyValueStore<String, byte[]> novelty;
    private final MemoryConfig config;

    public MemoryStores(ProcessorContext<?, ?> context, MemoryConfig config) {
        this.memory = context.getStateStore(Names.STORE_MEMORY);
        this.shortTerm = context.getStateStore(Names.STORE_SHORT_TERM);
        this.index = context.getStateStore(Names.STORE_SHORT_TERM_INDEX);
        this.attention = context.getStateStore(Names.STORE_ATTENTION);
        KeyValueStore<String, byte[]> n;
        try {
            n = context.getStateStore(Names.STORE_NOVELTY);
        } catch (RuntimeException e) {
            n = null;
        }
        this.novelty = n;
        this.config = config;
    }

    /**
     * A key's whole memory and the bytes of vectors it occupies in the stores (long-term coefficients plus
     * buffered short-term vectors: the bulk of its state).
     */
    public record Loaded(MemoryState state, long vectorBytes) {
    }

    /** The whole memory of a key, or null when the key has none (never seen, or forgotten). */
    public Loaded load(String key) {
        return load(key, null);
    }

    /**
     * As {@link #load(String)}; when {@code ready} (nullable) holds the key's ready memory of the stored version,
     * its B stands in for decoding the stored one.
     */
    public Loaded load(String key, ReadyMemoryCache ready) {
        io.ltm.schemas.MemoryState stored = memory.get(key);
        ShortTermIndex idx = index.get(key);
        if (stored == null && (idx == null || idx.tokens() == 0)) {
            return null;
        }
        ReadyMemory cached = stored == null || ready == null ? null : ready.find(key, stored);
        MemoryState state = stored == null ? MemoryState.empty(config)
                : MemoryStateCodec.fromAvro(stored, config, cached == null ? null : cached.coefficientsRef());
        List<EncodedTokens> records = shortTermRecords(key, null);
        state = withShortTerm(state, records, config);
        double[] hist = attention.get(key);
        long bytes = stored == null || stored.getCoefficients() == null ? 0 : stored.getCoefficients().getData().remaining();
        for (EncodedTokens r : records) {
            bytes += r.getVectors().getData().remaining();
        }
        return new Loaded(state.plusReads(hist), bytes);
    }

    /**
     * The version of a key's memory (of the task's partition {@code partition}), or null when the key has none, read
     * without its short-term records: what an attention worker's replica must have reached to answer as this node
     * would (resident mode). Reads the stored long-term record for its contraction count.
     */
    public io.ltm.schemas.MemoryVersion version(String key, int partition) {
        ShortTermIndex idx = index.get(key);
        io.ltm.schemas.MemoryState stored = memory.get(key);
        if (stored == null && (idx == null || idx.tokens() == 0)) {
            return null;
        }
        if (idx == null) {
            idx = ShortTermIndex.EMPTY;
        }
        return io.ltm.schemas.MemoryVersion.newBuilder().setPartition(partition)
                .setContractions(stored == null ? 0 : stored.getContractions())
                .setNextSeq(idx.nextSeq()).setShortTermTokens(idx.tokens()).build();
    }

    /**
     * Adds the key's buffered short-term records (in arrival order) to a long-term state; their store keys are
     * added to {@code keysOut} when it is not null.
     */
    MemoryState withShortTerm(MemoryState state, String key, List<String> keysOut) {
        return withShortTerm(state, shortTermRecords(key, keysOut), config);
    }

    /** A long-term state with short-term records (in arrival order) as its short-term buffer. */
    public static MemoryState withShortTerm(MemoryState state, List<EncodedTokens> records, MemoryConfig config) {
        int dim = config.dim();
        int count = records.stream().mapToInt(r -> r.getVectors().getCount()).sum();
        float[] vectors = new float[count * dim];
        List<String> tokens = new ArrayList<>(count);
        List<TokenSource> sources = new ArrayList<>(count);
        int at = 0;
        for (EncodedTokens r : records) {
            float[] v = MemoryStateCodec.unblock(r.getVectors(), r.getVectors().getCount(), r.getVectors().getDim());
            System.arraycopy(v, 0, vectors, at * dim, v.length);
            int n = r.getVectors().getCount();
            TokenSource src = Sources.toModel(r.getSource());
            for (int i = 0; i < n; i++) {
                tokens.add(r.getTokens() == null ? null : r.getTokens().get(i));
                sources.add(src);
            }
            at += n;
        }
        return state.withShortTerm(vectors, count, tokens, sources);
    }

    /** The key's short-term records in order; their store keys are added to {@code keysOut} when it is not null. */
    List<EncodedTokens> shortTermRecords(String key, List<String> keysOut) {
        List<EncodedTokens> out = new ArrayList<>();
        try (KeyValueIterator<String, EncodedTokens> it = shortTerm.range(ShortTermKeys.from(key), ShortTermKeys.to(key))) {
            while (it.hasNext()) {
                KeyValue<String, EncodedTokens> kv = it.next();
                out.add(kv.value);
                if (keysOut != null) {
                    keysOut.add(kv.key);
                }
            }
        }
        return out;
    }

    /**
     * Adds one read's attention mass per bin to the key's sticky statistics since its last contraction (the state
     * itself may carry older ones; {@link MemoryState#plusReads} combines both).
     */
    void addReads(String key, double[] histogram) {
        double[] sum = attention.get(key);
        if (sum == null || sum.length != histogram.length) {
            sum = new double[histogram.length];
        }
        for (int i = 0; i < histogram.length; i++) {
            sum[i] += histogram[i];
        }
        attention.put(key, sum);
    }

    /** Erases everything of a key; the deletes become tombstones in the changelogs, so compaction removes it. */
    public void forget(String key) {
        List<String> stKeys = new ArrayList<>();
        shortTermRecords(key, stKeys);
        stKeys.forEach(shortTerm::delete);
        memory.delete(key);
        index.delete(key);
        attention.delete(key);
        if (novelty != null) {
            novelty.delete(key);
        }
    }
}
