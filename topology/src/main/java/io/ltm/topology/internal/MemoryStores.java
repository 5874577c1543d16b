package io.ltm.topology.internal;

import io.ltm.model.CoefficientLog;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadyMemory;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.model.TermFilter;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.VectorBlock;
import io.ltm.topology.codec.CoefficientRecords;
import io.ltm.topology.codec.MemoryStateCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The stores that together hold one key's memory, and how they combine into one {@link MemoryState}: the long-term
 * part (rewritten once per contraction), B's base and deltas, the term filter's segments, the append-only short-term
 * records, their index, and the sticky attention statistics. The store protocol lives here, and only here:
 * processors load, append, contract, record reads and forget through these methods and never touch the stores
 * themselves.
 */
public final class MemoryStores {

    private final KeyValueStore<String, io.ltm.schemas.MemoryState> memory;
    /** {@link EncodedTokens} in the format of {@link StoreSerdes#shortTerm} (or, stored by earlier releases, Confluent-framed). */
    private final KeyValueStore<String, byte[]> shortTerm;

    private final Serde<EncodedTokens> records;
    private final KeyValueStore<String, ShortTermIndex> index;
    private final KeyValueStore<String, double[]> attention;
    /** The term filter's segments, one record per (key, segment): see {@link Names#STORE_TERMS}. */
    private final KeyValueStore<String, byte[]> terms;
    /** B's base and deltas, one record each per key: see {@link Names#STORE_COEFFICIENTS}. */
    private final KeyValueStore<String, byte[]> coefficients;
    /** The novelty summaries, or null when the topology has no novelty store. */
    private final KeyValueStore<String, byte[]> novelty;

    private final MemoryConfig config;
    private final NodeMetrics metrics;
    private final CoefficientLogCache decoded;
    /** The term filters as the ingest contracted them, or null when they are decoded at every read. */
    private final DecodedTerms filters;
    /** The short-term buffers decoded, or null when they are read from the store at every use. */
    private final DecodedShortTerm buffers;
    /** The long-term records with their timelines decoded, or null when they are decoded at every use. */
    private final DecodedLongTerm longTerms;

    /**
     * {@code records}: the serde of the short-term records ({@link StoreSerdes#shortTerm}); {@code kept}: the process's
     * {@link DecodedState} (null: none, everything is decoded from the stores), read by load, kept up by append and
     * contract (B for the key's next contraction, the term filter it contracted, the short-term buffer, the long-term
     * record it wrote), dropped for a key by forget; {@code metrics}: the task's sensors, which count its lookups there.
     */
    MemoryStores(
            ProcessorContext<?, ?> context,
            MemoryConfig config,
            Serde<EncodedTokens> records,
            DecodedState kept,
            NodeMetrics metrics) {
        this.metrics = metrics;
        this.decoded = kept == null ? null : kept.coefficients();
        this.filters = kept == null ? null : kept.terms();
        this.buffers = kept == null ? null : kept.shortTerm();
        this.longTerms = kept == null ? null : kept.longTerm();
        this.records = records;
        this.memory = context.getStateStore(Names.STORE_MEMORY);
        this.shortTerm = context.getStateStore(Names.STORE_SHORT_TERM);
        this.index = context.getStateStore(Names.STORE_SHORT_TERM_INDEX);
        this.attention = context.getStateStore(Names.STORE_ATTENTION);
        this.terms = context.getStateStore(Names.STORE_TERMS);
        this.coefficients = context.getStateStore(Names.STORE_COEFFICIENTS);
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
    public record Loaded(MemoryState state, long vectorBytes) {}

    /** The whole memory of a key, or null when the key has none (never seen, or forgotten). */
    Loaded load(String key) {
        return load(key, null);
    }

    /**
     * As {@link #load(String)}; when {@code ready} (nullable) holds the key's ready memory of the stored version,
     * its B stands in for decoding the stored one.
     */
    Loaded load(String key, ReadyMemoryCache ready) {
        ShortTermIndex idx = index.get(key);
        DecodedLongTerm.Kept longTerm = storedLongTerm(key, idx);
        io.ltm.schemas.MemoryState stored = longTerm == null ? null : longTerm.record();
        if (stored == null && (idx == null || idx.tokens() == 0)) {
            return null;
        }
        ReadyMemory cached = stored == null || ready == null ? null : ready.find(key, MemoryStateCodec.version(stored));
        CoefficientLogCache.Kept kept = cached != null || decoded == null || stored == null
                ? null
                : looked(metrics.bCache, decoded.find(key, stored.getCoefficientLog()));
        Whole whole = whole(
                key, longTerm, cached != null ? cached.coefficientLog() : kept == null ? null : kept.log(), idx, true);
        return new Loaded(whole.state(), coefficientBytes(stored, config) + whole.shortTermBytes());
    }

    /**
     * The key's long-term memory as stored without its term filter (no short-term records, no reads since its last
     * contraction), or null when it has none; {@code idx}: the key's index (nullable).
     */
    MemoryState longTermWithoutTerms(String key, ShortTermIndex idx) {
        DecodedLongTerm.Kept longTerm = storedLongTerm(key, idx);
        if (longTerm == null) return null;
        io.ltm.schemas.MemoryState stored = longTerm.record();
        CoefficientLogCache.Kept kept =
                decoded == null ? null : looked(metrics.bCache, decoded.find(key, stored.getCoefficientLog()));
        CoefficientLog b = kept != null ? kept.log() : coefficientLog(key, stored);
        return MemoryStateCodec.fromAvro(MemoryStateCodec.withoutTerms(stored), config, b, longTerm.timeline());
    }

    /**
     * The key's stored long-term record and its timeline, or null when it has none: the process's copy when the index
     * {@code idx} (nullable) names it, else decoded from the store (and kept, under the index's id).
     */
    private DecodedLongTerm.Kept storedLongTerm(String key, ShortTermIndex idx) {
        DecodedLongTerm.Kept kept = longTerms == null ? null : longTerms.find(key, idx);
        if (kept != null) return looked(metrics.longTermCache, kept);
        io.ltm.schemas.MemoryState stored = memory.get(key);
        if (stored == null) return null;
        if (longTerms != null) looked(metrics.longTermCache, null);
        // the index and the record read together: one transaction wrote both, so the index's id is this record's
        kept = new DecodedLongTerm.Kept(
                idx == null ? ShortTermIndex.UNKNOWN : idx.longTerm(), stored, MemoryStateCodec.timeline(stored));
        if (longTerms != null) longTerms.put(key, kept);
        return kept;
    }

    /** Counts a lookup of the process's decoded state that found {@code found} (null: a miss); returns it. */
    private static <T> T looked(Sensor lookups, T found) {
        lookups.record(found == null ? 0 : 1);
        return found;
    }

    /** The bytes of B in a stored record (whole, or kept apart at the configured precision). */
    static long coefficientBytes(io.ltm.schemas.MemoryState stored, MemoryConfig config) {
        if (stored == null) return 0;
        if (stored.getCoefficients() != null)
            return stored.getCoefficients().getData().remaining();
        return CoefficientRecords.keptApart(stored)
                ? (long) config.basisSize() * config.dim() * config.precision().bytes()
                : 0;
    }

    /** A key's whole memory (reads since its last contraction included) and the store keys of its short-term records. */
    private record Whole(MemoryState state, List<String> shortTermKeys, long shortTermBytes) {}

    /**
     * {@code log}: the stored state's B when the caller has it decoded already, else null; {@code idx}: the key's
     * short-term index (null when it has none); {@code keep}: keep the buffer decoded when it had to be read from the
     * store (not for a contraction, which replaces it at once).
     */
    private Whole whole(
            String key, DecodedLongTerm.Kept longTerm, CoefficientLog log, ShortTermIndex idx, boolean keep) {
        MemoryState state = longTerm == null ? MemoryState.empty(config) : longTermState(key, longTerm, log);
        DecodedShortTerm.Buffer buffer =
                buffers == null || idx == null ? null : looked(metrics.shortTermCache, buffers.find(key, idx));
        if (buffer == null) {
            List<String> keys = new ArrayList<>();
            buffer = buffer(idx, shortTermRecords(key, keys), keys, config);
            if (keep && buffers != null && idx != null) buffers.put(key, buffer);
        }
        List<String> keys = new ArrayList<>(buffer.parts().size());
        long bytes = 0;
        for (DecodedShortTerm.Part p : buffer.parts()) {
            keys.add(p.storeKey());
            bytes += p.storedBytes();
        }
        return new Whole(withBuffer(state, buffer).plusReads(attention.get(key)), keys, bytes);
    }

    /** The stored long-term memory; {@code log}: its B when the caller has it decoded already, else null. */
    private MemoryState longTermState(String key, DecodedLongTerm.Kept longTerm, CoefficientLog log) {
        io.ltm.schemas.MemoryState stored = longTerm.record();
        CoefficientLog b = log != null ? log : coefficientLog(key, stored);
        TermFilter kept = filters == null ? null : looked(metrics.termsCache, filters.find(key, stored));
        if (kept != null) {
            return MemoryStateCodec.fromAvro(MemoryStateCodec.withoutTerms(stored), config, b, longTerm.timeline())
                    .withTerms(kept);
        }
        return MemoryStateCodec.fromAvro(withTermBits(key, stored), config, b, longTerm.timeline());
    }

    /** The stored record with its term filter's segments filled in from their store. */
    private io.ltm.schemas.MemoryState withTermBits(String key, io.ltm.schemas.MemoryState stored) {
        if (stored.getTerms() == null || stored.getTerms().getBits() != null) return stored;
        // one range scan over the key's segments (they are contiguous), not a point read per segment: this runs for
        // every query
        List<byte[]> segments = new ArrayList<>(stored.getTerms().getUsed());
        try (KeyValueIterator<String, byte[]> it = terms.range(RecordKeys.from(key), RecordKeys.to(key))) {
            it.forEachRemaining(kv -> segments.add(kv.value));
        }
        io.ltm.schemas.MemoryState whole =
                MemoryStateCodec.withTermBits(stored, s -> s < segments.size() ? segments.get(s) : null);
        if (whole == null) {
            // one transaction writes the record and its segments: a mismatch is damage, not a race
            throw new IllegalStateException("the term filter segments of key '" + key + "' do not match its memory");
        }
        return whole;
    }

    /** B of the stored record from the records kept apart, or null when the record holds B whole or has none. */
    private CoefficientLog coefficientLog(String key, io.ltm.schemas.MemoryState stored) {
        if (!CoefficientRecords.keptApart(stored)) return null;
        Map<Integer, byte[]> records = new HashMap<>();
        try (KeyValueIterator<String, byte[]> it = coefficients.range(RecordKeys.from(key), RecordKeys.to(key))) {
            it.forEachRemaining(kv -> records.put((int) RecordKeys.seq(kv.key), kv.value));
        }
        CoefficientLog log = CoefficientRecords.read(stored, records::get, config);
        if (log == null) {
            // one transaction writes the record and B's records: a mismatch is damage, not a race
            throw new IllegalStateException("the coefficient records of key '" + key + "' do not match its memory");
        }
        return log;
    }

    /** The key's short-term index, or null when it has none (never seen, or forgotten). */
    ShortTermIndex index(String key) {
        return index.get(key);
    }

    /**
     * Buffers one event of {@code count} tokens ({@code vectors}: its vectors, decoded and checked) after the key's index
     * {@code idx} (a new one for a new memory).
     */
    void append(String key, ShortTermIndex idx, EncodedTokens event, float[] vectors, int count) {
        String storeKey = RecordKeys.of(key, idx.nextSeq());
        // encoded again rather than stored as it came: the event's bytes carry its producer's registry id, which a
        // restore or a replica could then only read through that registry
        byte[] stored = records.serializer().serialize(Names.STORE_SHORT_TERM, event);
        shortTerm.put(storeKey, stored);
        ShortTermIndex next = idx.append(count, stored);
        index.put(key, next);
        if (buffers != null)
            buffers.appended(
                    key,
                    idx,
                    next,
                    part(storeKey, event),
                    vectors,
                    event.getTokens(),
                    config.contractionLength() * config.dim());
    }

    private static DecodedShortTerm.Part part(String storeKey, EncodedTokens event) {
        return new DecodedShortTerm.Part(
                storeKey,
                event.getVectors().getCount(),
                Sources.toModel(event.getSource()),
                event.getVectors().getData().remaining());
    }

    /**
     * The version of a key's memory (of the task's partition {@code partition}), or null when the key has none, read
     * without its short-term records: what an attention worker's replica must have reached to answer as this node
     * would (resident mode). Reads the stored long-term record for its contraction count.
     */
    io.ltm.schemas.MemoryVersion version(String key, int partition) {
        ShortTermIndex idx = index.get(key);
        DecodedLongTerm.Kept longTerm = storedLongTerm(key, idx);
        io.ltm.schemas.MemoryState stored = longTerm == null ? null : longTerm.record();
        if (stored == null && (idx == null || idx.tokens() == 0)) {
            return null;
        }
        if (idx == null) {
            idx = ShortTermIndex.EMPTY;
        }
        return io.ltm.schemas.MemoryVersion.newBuilder()
                .setPartition(partition)
                .setContractions(stored == null ? 0 : stored.getContractions())
                .setNextSeq(idx.nextSeq())
                .setShortTermTokens(idx.tokens())
                .setOrigin(idx.origin())
                .build();
    }

    /**
     * A contraction of the key's buffer with {@code event} (its {@code vectors}, already decoded and checked):
     * {@code contract} maps the key's whole memory before the event to the memory after it. Writes the long-term
     * part, replaces the short-term records by the part of the event left over (at the event's own precision: it is
     * a tail of the event, so its bytes are copied, not re-encoded), and clears the reads the contraction consumed.
     * Returns the memory before and after, and the long-term record written.
     */
    Contraction contract(
            String key,
            ShortTermIndex idx,
            EncodedTokens event,
            float[] vectors,
            long timestamp,
            UnaryOperator<MemoryState> contract) {
        DecodedLongTerm.Kept longTerm = storedLongTerm(key, idx);
        io.ltm.schemas.MemoryState stored = longTerm == null ? null : longTerm.record();
        CoefficientLogCache.Kept known = decoded == null || stored == null
                ? null
                : looked(metrics.bCache, decoded.find(key, stored.getCoefficientLog()));
        Whole before = whole(key, longTerm, known == null ? null : known.log(), idx, false);
        MemoryState next = contract.apply(before.state()).withUpdatedAt(timestamp);
        MemoryState longTermState = next.withoutShortTerm();
        CoefficientRecords.Write b = CoefficientRecords.write(
                longTermState,
                before.state().coefficientLog(),
                stored == null ? null : stored.getCoefficientLog(),
                config);
        int rest = next.shortTermCount();
        // fewer than L tokens were buffered before the event, so what is left over is always a tail of it; encoded
        // before anything is written, so that a failure leaves the stores untouched
        EncodedTokens tail = rest == 0 ? null : tail(event, rest);
        byte[] left = tail == null ? null : records.serializer().serialize(Names.STORE_SHORT_TERM, tail);
        // B as written is kept from a new base on (all its records are put) and extended while it is kept
        boolean newBase = b.puts().containsKey(0);
        long putBytes = b.puts().values().stream().mapToLong(v -> v.length).sum();
        // decoded from the written records when first used
        CoefficientLog written = CoefficientRecords.asWritten(before.state().coefficientLog(), b, config);
        CoefficientLogCache.Kept asStored = decoded == null || !(newBase || known != null)
                ? null
                : new CoefficientLogCache.Kept(written, putBytes + (newBase ? 0 : known.storedBytes()));
        putTermSegments(key, before.state().terms(), next.terms());
        for (Map.Entry<Integer, byte[]> e : b.puts().entrySet()) {
            coefficients.put(RecordKeys.of(key, e.getKey()), e.getValue());
        }
        for (int j = b.count(); j < CoefficientRecords.count(stored); j++) erase(coefficients, RecordKeys.of(key, j));
        memory.put(key, b.record());
        if (filters != null) filters.put(key, b.record(), next.terms());
        if (asStored != null) {
            decoded.put(
                    key,
                    b.record().getCoefficientLog(),
                    asStored,
                    config.precision().bytes());
        } else if (decoded != null) {
            decoded.invalidate(key);
        }
        before.shortTermKeys().forEach(k -> erase(shortTerm, k));
        erase(attention, key);
        String tailKey = RecordKeys.of(key, idx.nextSeq());
        if (rest > 0) {
            shortTerm.put(tailKey, left);
        }
        long id = newLongTermId();
        ShortTermIndex after = idx.contracted(next.contractions(), rest, left, id);
        index.put(key, after);
        // the record's timeline is the state's: the codec writes it as it is (MemoryStateCodecTest)
        if (longTerms != null) longTerms.put(key, new DecodedLongTerm.Kept(id, b.record(), longTermState.timeline()));
        if (buffers != null) {
            int count = event.getVectors().getCount(), dim = config.dim();
            buffers.put(
                    key,
                    tail == null
                            ? new DecodedShortTerm.Buffer(after, new float[0], new String[0], 0, List.of())
                            : new DecodedShortTerm.Buffer(
                                    after,
                                    Arrays.copyOfRange(vectors, (count - rest) * dim, count * dim),
                                    tail.getTokens() == null
                                            ? new String[rest]
                                            : tail.getTokens().toArray(new String[0]),
                                    rest,
                                    List.of(part(tailKey, tail))));
        }
        return new Contraction(before.state(), next, b.record(), written, id, putBytes);
    }

    /**
     * Deletes {@code key} without reading its value back: {@code KeyValueStore.delete} returns the old value, which
     * Streams' caching layer reads from RocksDB once the record has left its cache (with 100 keys a contraction's 16
     * short-term records, 24 KB each, took 313–318 µs to delete, 74–85 µs this way); a put of null writes the same
     * tombstone to the store and its changelog. For stores whose serde writes null as null.
     */
    private static <V> void erase(KeyValueStore<String, V> store, String key) {
        store.put(key, null);
    }

    /**
     * A contraction's long-term id: drawn at random, so that no other write of the key's record, a rolled-back one
     * included, has it.
     */
    private static long newLongTermId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == ShortTermIndex.UNKNOWN);
        return id;
    }

    /**
     * Writes the segments of {@code next} that differ from {@code before}'s (all of them after the segments doubled)
     * and deletes those no longer in use: a contraction changes one or two segments of 1 KiB, not the whole filter.
     */
    private void putTermSegments(String key, TermFilter before, TermFilter next) {
        int used = next == null ? 0 : next.used();
        boolean same = before != null
                && next != null
                && before.segmentTokens() == next.segmentTokens()
                && before.segmentBits() == next.segmentBits();
        // compared as words, and encoded only when changed: the filter is not copied or encoded whole per contraction
        long[] old = same ? before.bitsRef() : null;
        long[] now = next == null ? null : next.bitsRef();
        int words = next == null ? 0 : next.segmentBits() / Long.SIZE;
        for (int s = 0; s < used; s++) {
            int from = s * words;
            if (same && s < before.used() && Arrays.equals(old, from, from + words, now, from, from + words)) continue;
            terms.put(RecordKeys.of(key, s), MemoryStateCodec.termSegment(next, s));
        }
        for (int s = used; before != null && s < before.used(); s++) erase(terms, RecordKeys.of(key, s));
    }

    /**
     * The memory before and after a contraction, the long-term record written, B as written (at the stored precision:
     * what a read of the stores gives, where {@code after} holds B in float32), the record's id
     * ({@link ShortTermIndex#longTerm}) and the bytes of B's records written (a delta, or a new base and its deltas).
     */
    record Contraction(
            MemoryState before,
            MemoryState after,
            io.ltm.schemas.MemoryState longTerm,
            CoefficientLog written,
            long longTermId,
            long coefficientBytes) {}

    /** The event's last {@code rest} tokens: their vectors' bytes as they came, their texts, the same source. */
    static EncodedTokens tail(EncodedTokens event, int rest) {
        VectorBlock v = event.getVectors();
        int count = v.getCount();
        ByteBuffer data = v.getData().duplicate();
        int rowBytes = data.remaining() / count;
        data.position(data.position() + (count - rest) * rowBytes);
        ByteBuffer bytes = ByteBuffer.allocate(rest * rowBytes);
        bytes.put(data).flip();
        List<String> tokens = event.getTokens();
        EncodedTokens tail =
                MemoryStateCodec.with(event, "vectors", new VectorBlock(v.getDim(), rest, v.getEncoding(), bytes));
        tail.setTokens(tokens == null ? null : new ArrayList<>(tokens.subList(count - rest, count)));
        return tail;
    }

    /** A long-term state with short-term records (in arrival order) as its short-term buffer. */
    static MemoryState withShortTerm(MemoryState state, List<EncodedTokens> records, MemoryConfig config) {
        return withBuffer(state, buffer(null, records, null, config));
    }

    /** Short-term records decoded into one buffer; {@code keys}: their store keys, or null when not needed. */
    private static DecodedShortTerm.Buffer buffer(
            ShortTermIndex idx, List<EncodedTokens> records, List<String> keys, MemoryConfig config) {
        int dim = config.dim();
        int count = records.stream().mapToInt(r -> r.getVectors().getCount()).sum();
        float[] vectors = new float[count * dim];
        String[] tokens = new String[count];
        List<DecodedShortTerm.Part> parts = new ArrayList<>(records.size());
        int at = 0;
        for (int j = 0; j < records.size(); j++) {
            EncodedTokens r = records.get(j);
            int n = r.getVectors().getCount();
            MemoryStateCodec.unblockInto(r.getVectors(), n, r.getVectors().getDim(), vectors, at * dim);
            for (int i = 0; i < n; i++)
                tokens[at + i] = r.getTokens() == null ? null : r.getTokens().get(i);
            parts.add(part(keys == null ? null : keys.get(j), r));
            at += n;
        }
        return new DecodedShortTerm.Buffer(idx, vectors, tokens, count, parts);
    }

    /** A long-term state with a decoded buffer as its short-term part (its arrays kept, not copied). */
    private static MemoryState withBuffer(MemoryState state, DecodedShortTerm.Buffer b) {
        return state.withShortTermKept(b.vectors(), b.count(), b.tokenList(), b.sources());
    }

    /** The key's short-term records in order; their store keys are added to {@code keysOut} when it is not null. */
    List<EncodedTokens> shortTermRecords(String key, List<String> keysOut) {
        List<EncodedTokens> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = shortTerm.range(RecordKeys.from(key), RecordKeys.to(key))) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                out.add(records.deserializer().deserialize(Names.STORE_SHORT_TERM, kv.value));
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

    /** True when the key has a memory (events absorbed and not forgotten). */
    boolean has(String key) {
        return index.get(key) != null || memory.get(key) != null;
    }

    /** Drops the key's reads since its last contraction (the stored memory may still carry older ones). */
    void resetReads(String key) {
        erase(attention, key);
    }

    /** Erases everything of a key; the deletes become tombstones in the changelogs, so compaction removes it. */
    void forget(String key) {
        List<String> stKeys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = shortTerm.range(RecordKeys.from(key), RecordKeys.to(key))) {
            it.forEachRemaining(kv -> stKeys.add(kv.key));
        }
        stKeys.forEach(k -> erase(shortTerm, k));
        List<String> termKeys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = terms.range(RecordKeys.from(key), RecordKeys.to(key))) {
            it.forEachRemaining(kv -> termKeys.add(kv.key));
        }
        termKeys.forEach(k -> erase(terms, k));
        List<String> coefficientKeys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = coefficients.range(RecordKeys.from(key), RecordKeys.to(key))) {
            it.forEachRemaining(kv -> coefficientKeys.add(kv.key));
        }
        coefficientKeys.forEach(k -> erase(coefficients, k));
        memory.delete(key);
        index.delete(key);
        erase(attention, key);
        // a forgotten key's decoded parts are not kept in the process either
        if (decoded != null) decoded.invalidate(key);
        if (filters != null) filters.invalidate(key);
        if (buffers != null) buffers.invalidate(key);
        if (longTerms != null) longTerms.invalidate(key);
        if (novelty != null) {
            erase(novelty, key);
        }
    }
}
