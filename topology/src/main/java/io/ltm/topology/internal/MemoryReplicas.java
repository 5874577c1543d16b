package io.ltm.topology.internal;

import io.ltm.model.CoefficientLog;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadyMemory;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryVersion;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.CoefficientRecords;
import io.ltm.topology.codec.InternalRecordSerde;
import io.ltm.topology.codec.MemoryStateCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The attention worker's replicas of the memories of the partitions it serves (resident mode): the memory node's
 * changelogs of {@code ltm-memory}, {@code ltm-coefficients}, {@code ltm-terms}, {@code ltm-short-term} and
 * {@code ltm-short-term-index} for
 * those partitions, read
 * (read_committed) from their start and then followed. A key's whole memory is assembled as the node assembles it
 * ({@link MemoryStores#withShortTerm}) at its first read after a change and kept until the next change, so a read
 * neither ships nor decodes the memory again.
 *
 * <p>The node names in each request the version it held (contractions, the short-term index, the memory's origin). The
 * node writes the request and its changelog records in one transaction, but a read_committed consumer may see one
 * partition's commit before another's, so a read waits (bounded) until the replica holds that version, or a newer one,
 * and only a coherent one: short-term records that agree with the index, a long-term record of the index's
 * contraction whose term filter segments and B's records match its digests, and the request's memory (or one begun
 * after it was forgotten), never an older memory. Replicas are derived state: nothing is committed for them, and a
 * restarted or rebalanced worker rebuilds them from the changelogs. Not thread-safe: used by the worker's own
 * thread.
 */
public final class MemoryReplicas implements AutoCloseable {

    /** Longest single poll while waiting for a version: the wait is re-checked at least this often. */
    private static final Duration POLL_STEP = Duration.ofMillis(20);

    private final Consumer<byte[], byte[]> consumer;
    private final MemoryConfig config;
    private final ReadyMemoryCache ready;
    private final String memoryTopic;
    private final String shortTermTopic;
    private final String indexTopic;
    private final String termsTopic;
    private final String coefficientsTopic;
    private final Deserializer<io.ltm.schemas.MemoryState> memoryValues;
    private final Deserializer<EncodedTokens> tokenValues;
    private final Deserializer<ShortTermIndex> indexValues =
            ShortTermIndex.serde().deserializer();
    private final Map<Integer, Map<String, Replica>> partitions = new HashMap<>();

    /**
     * One key's replica: the stores' latest values as read from the changelogs, decoded only when a request reads the
     * key (rebuilding a replica reads every past version of the memory, of which only the last is ever read), and the
     * whole memory built from them at the last read.
     */
    private final class Replica {
        byte[] storedBytes;
        io.ltm.schemas.MemoryState stored;
        final TreeMap<String, byte[]> shortTermBytes = new TreeMap<>();
        final Map<String, EncodedTokens> shortTerm = new HashMap<>();
        final Map<Long, byte[]> termSegments = new HashMap<>();
        final Map<Long, byte[]> coefficientRecords = new HashMap<>();
        /** {@link #complete()}'s answer since the last change (its digest check costs a pass over the filter). */
        io.ltm.schemas.MemoryState completed;
        /** B read from its records at the last check, or null (none, or its records do not match the record yet). */
        CoefficientLog log;

        boolean checked;
        ShortTermIndex index;
        MemoryStores.Loaded whole;

        boolean isEmpty() {
            return storedBytes == null
                    && stored == null
                    && shortTermBytes.isEmpty()
                    && termSegments.isEmpty()
                    && coefficientRecords.isEmpty()
                    && index == null;
        }

        /**
         * The record with its term filter's segments (and B read from its records into {@link #log}), or null while
         * the segments or B's records read do not match it yet.
         */
        io.ltm.schemas.MemoryState complete() {
            if (!checked) {
                completed = stored() == null
                        ? null
                        : MemoryStateCodec.withTermBits(stored(), seg -> termSegments.get((long) seg));
                log = completed == null || !CoefficientRecords.keptApart(completed)
                        ? null
                        : CoefficientRecords.read(completed, j -> coefficientRecords.get((long) j), config);
                if (log == null && completed != null && CoefficientRecords.keptApart(completed)) completed = null;
                checked = true;
            }
            return completed;
        }

        io.ltm.schemas.MemoryState stored() {
            if (storedBytes != null) { // decoded once; the bytes are not kept beside the record
                stored = memoryValues.deserialize(memoryTopic, storedBytes);
                storedBytes = null;
            }
            return stored;
        }

        long contractions() {
            return stored() == null ? 0 : stored().getContractions();
        }

        /** The short-term records in arrival order (the store keys' order). */
        List<EncodedTokens> shortTerm() {
            List<EncodedTokens> out = new ArrayList<>(shortTermBytes.size());
            shortTermBytes.forEach(
                    (k, v) -> out.add(shortTerm.computeIfAbsent(k, x -> tokenValues.deserialize(shortTermTopic, v))));
            return out;
        }

        int shortTermTokens() {
            return shortTerm().stream().mapToInt(r -> r.getVectors().getCount()).sum();
        }
    }

    /** With a consumer of its own on the configured cluster. */
    public MemoryReplicas(LtmConfig config, ReadyMemoryCache ready) {
        this(config, ready, consumer(config));
    }

    /** With a given consumer (tests). */
    public MemoryReplicas(LtmConfig config, ReadyMemoryCache ready, Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
        this.config = config.memoryConfig();
        this.ready = ready;
        this.memoryTopic = ChangelogMemory.changelog(config, Names.STORE_MEMORY);
        this.shortTermTopic = ChangelogMemory.changelog(config, Names.STORE_SHORT_TERM);
        this.indexTopic = ChangelogMemory.changelog(config, Names.STORE_SHORT_TERM_INDEX);
        this.termsTopic = ChangelogMemory.changelog(config, Names.STORE_TERMS);
        this.coefficientsTopic = ChangelogMemory.changelog(config, Names.STORE_COEFFICIENTS);
        this.memoryValues =
                new InternalRecordSerde<>(io.ltm.schemas.MemoryState.class, config.serdeConfig()).deserializer();
        this.tokenValues = StoreSerdes.shortTerm(config.serdeConfig()).deserializer();
    }

    private static KafkaConsumer<byte[], byte[]> consumer(LtmConfig config) {
        Properties p = new Properties();
        p.putAll(config.clientOverrides(ConsumerConfig.configNames())); // TLS, SASL: the cluster's own settings
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, LtmConfig.MAX_STATE_BYTES);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Starts replicating these partitions (those already replicated are kept): from the changelogs' start. */
    public void serve(Collection<Integer> add) {
        List<TopicPartition> fresh = new ArrayList<>();
        for (int p : add) {
            if (partitions.putIfAbsent(p, new HashMap<>()) == null) {
                for (String t : topics()) {
                    fresh.add(new TopicPartition(t, p));
                }
            }
        }
        if (!fresh.isEmpty()) {
            reassign();
            consumer.seekToBeginning(fresh);
        }
    }

    private List<String> topics() {
        return List.of(memoryTopic, shortTermTopic, indexTopic, termsTopic, coefficientsTopic);
    }

    /** Drops the replicas of these partitions (another worker serves them now). */
    public void stop(Collection<Integer> drop) {
        boolean changed = false;
        for (int p : drop) {
            Map<String, Replica> keys = partitions.remove(p);
            if (keys != null) {
                keys.keySet().forEach(ready::invalidate);
                changed = true;
            }
        }
        if (changed) {
            reassign();
        }
    }

    private void reassign() {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p : partitions.keySet()) {
            for (String t : topics()) {
                tps.add(new TopicPartition(t, p));
            }
        }
        consumer.assign(tps);
    }

    /**
     * The key's whole memory at {@code version} (or newer), waiting for the replica to reach it until
     * {@code deadlineNanos} ({@link System#nanoTime()}); null when it has not by then.
     */
    public MemoryStores.Loaded await(String key, MemoryVersion version, long deadlineNanos) {
        serve(List.of(version.getPartition()));
        boolean drained = false;
        while (true) {
            Replica r = partitions.get(version.getPartition()).get(key);
            Reach reach = r == null ? Reach.NOT_YET : reach(r, version);
            if (reach == Reach.EXACT || (reach == Reach.NEWER && drained)) {
                return whole(key, r);
            }
            if (reach == Reach.NEWER) {
                // a newer memory is read only after everything the changelogs already hold is applied, which
                // narrows (but cannot close) the window in which one changelog shows a transaction the others do not
                drain();
                drained = true;
                continue;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            poll(Duration.ofNanos(Math.min(left, POLL_STEP.toNanos())));
        }
    }

    private enum Reach {
        NOT_YET,
        EXACT,
        NEWER
    }

    /**
     * EXACT: the version the request names; NEWER: more contractions or short-term records than it names (events
     * after the query), or a memory begun after the one it names was forgotten, whose short-term records agree with
     * the index; NOT_YET otherwise, whenever the short-term records and the index disagree (read to different points),
     * whenever the long-term record is of another contraction than the index (one changelog has shown a contraction's
     * transaction, another not yet), and while the replica still holds a memory forgotten before the one the request
     * names began (its counters may exceed the request's, but it is not a newer version of that memory).
     */
    private static Reach reach(Replica r, MemoryVersion v) {
        ShortTermIndex idx = r.index == null ? ShortTermIndex.EMPTY : r.index;
        if (r.shortTermTokens() != idx.tokens()
                || (r.stored() != null && r.complete() == null)
                || (idx.contractions() != ShortTermIndex.UNKNOWN && idx.contractions() != r.contractions())) {
            return Reach.NOT_YET;
        }
        long origin = v.getOrigin();
        if (origin != ShortTermIndex.UNKNOWN && idx.origin() != ShortTermIndex.UNKNOWN && idx.origin() != origin) {
            return idx.origin() > origin ? Reach.NEWER : Reach.NOT_YET;
        }
        if (r.contractions() == v.getContractions() && idx.nextSeq() == v.getNextSeq()) {
            return idx.tokens() == v.getShortTermTokens() ? Reach.EXACT : Reach.NOT_YET;
        }
        return r.contractions() >= v.getContractions() && idx.nextSeq() >= v.getNextSeq() ? Reach.NEWER : Reach.NOT_YET;
    }

    /** Applies everything the changelogs hold now, without waiting for more. */
    private void drain() {
        while (poll(Duration.ZERO) > 0) {
            // until a poll brings nothing
        }
    }

    private MemoryStores.Loaded whole(String key, Replica r) {
        if (r.whole == null) {
            List<EncodedTokens> records = r.shortTerm();
            io.ltm.schemas.MemoryState stored = r.complete();
            MemoryState state = MemoryState.empty(config);
            long bytes = 0;
            if (stored != null) {
                // the same decoding as the node's (MemoryStores.load), B shared with the ready memory of this version
                ReadyMemory cached = ready.find(key, MemoryStateCodec.version(stored));
                state = MemoryStateCodec.fromAvro(stored, config, cached != null ? cached.coefficientLog() : r.log);
                bytes = MemoryStores.coefficientBytes(stored, config);
            }
            for (EncodedTokens t : records) {
                bytes += t.getVectors().getData().remaining();
            }
            r.whole = new MemoryStores.Loaded(MemoryStores.withShortTerm(state, records, config), bytes);
        }
        return r.whole;
    }

    /**
     * Reads what the changelogs have for the replicated partitions, waiting at most {@code timeout}; returns the
     * number of records read.
     */
    public int poll(Duration timeout) {
        if (partitions.isEmpty()) {
            return 0;
        }
        var records = consumer.poll(timeout);
        for (ConsumerRecord<byte[], byte[]> rec : records) {
            Map<String, Replica> keys = partitions.get(rec.partition());
            if (keys == null || rec.key() == null) {
                continue;
            }
            String storeKey = new String(rec.key(), java.nio.charset.StandardCharsets.UTF_8);
            boolean shortTerm = rec.topic().equals(shortTermTopic);
            boolean terms = rec.topic().equals(termsTopic);
            boolean coefficients = rec.topic().equals(coefficientsTopic);
            String key = shortTerm || terms || coefficients ? RecordKeys.memoryKey(storeKey) : storeKey;
            Replica r = keys.computeIfAbsent(key, k -> new Replica());
            if (terms || coefficients) {
                Map<Long, byte[]> parts = terms ? r.termSegments : r.coefficientRecords;
                if (rec.value() == null) {
                    parts.remove(RecordKeys.seq(storeKey));
                } else {
                    parts.put(RecordKeys.seq(storeKey), rec.value());
                }
            } else if (rec.topic().equals(memoryTopic)) {
                r.storedBytes = rec.value();
                r.stored = null;
            } else if (shortTerm) {
                r.shortTerm.remove(storeKey);
                if (rec.value() == null) {
                    r.shortTermBytes.remove(storeKey);
                } else {
                    r.shortTermBytes.put(storeKey, rec.value());
                }
            } else {
                r.index = indexValues.deserialize(rec.topic(), rec.value());
            }
            r.whole = null;
            r.checked = false;
            if (r.isEmpty()) {
                keys.remove(key);
            }
        }
        return records.count();
    }

    /** Keys replicated (all partitions). */
    public int keys() {
        return partitions.values().stream().mapToInt(Map::size).sum();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(10));
    }
}
