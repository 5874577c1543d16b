package io.ltm.topology.internal;

import io.ltm.model.CoefficientLog;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.schemas.EncodedTokens;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.CoefficientRecords;
import io.ltm.topology.codec.MemoryStateCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Whole memories of the keys this instance holds, read from a running node's stores (interactive queries). */
public final class LocalMemories {

    private final KafkaStreams streams;
    private final MemoryConfig config;
    private final Deserializer<EncodedTokens> records;

    public LocalMemories(KafkaStreams streams, LtmConfig config) {
        this.streams = streams;
        this.config = config.memoryConfig();
        this.records = StoreSerdes.shortTerm(config.serdeConfig()).deserializer();
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    /** The keys with a memory on this instance (sorted, at most {@code max}). */
    List<String> keys(int max) {
        TreeSet<String> keys = new TreeSet<>();
        try (KeyValueIterator<String, io.ltm.schemas.MemoryState> it =
                this.<io.ltm.schemas.MemoryState>store(Names.STORE_MEMORY).all()) {
            while (it.hasNext() && keys.size() < max) {
                keys.add(it.next().key);
            }
        }
        try (KeyValueIterator<String, ShortTermIndex> it =
                this.<ShortTermIndex>store(Names.STORE_SHORT_TERM_INDEX).all()) {
            while (it.hasNext() && keys.size() < max) {
                KeyValue<String, ShortTermIndex> kv = it.next();
                if (kv.value != null && kv.value.tokens() > 0) {
                    keys.add(kv.key);
                }
            }
        }
        return new ArrayList<>(keys);
    }

    /** The whole memory of a key (long-term part and short-term buffer), or null when this instance has none. */
    public MemoryState load(String key) {
        io.ltm.schemas.MemoryState stored =
                this.<io.ltm.schemas.MemoryState>store(Names.STORE_MEMORY).get(key);
        List<EncodedTokens> shortTerm = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it =
                this.<byte[]>store(Names.STORE_SHORT_TERM).range(RecordKeys.from(key), RecordKeys.to(key))) {
            while (it.hasNext()) {
                shortTerm.add(this.records.deserialize(Names.STORE_SHORT_TERM, it.next().value));
            }
        }
        ReadOnlyKeyValueStore<String, byte[]> terms = store(Names.STORE_TERMS);
        ReadOnlyKeyValueStore<String, byte[]> coefficients = store(Names.STORE_COEFFICIENTS);
        return combine(
                stored,
                segment -> terms.get(RecordKeys.of(key, segment)),
                j -> coefficients.get(RecordKeys.of(key, j)),
                shortTerm,
                config);
    }

    /**
     * A key's whole memory from its long-term record (may be null), its term filter's segments ({@code termSegment}:
     * segment i's bytes or null), B's records ({@code coefficientRecord}: record j's bytes or null) and its
     * short-term records in order; null when both are absent.
     */
    static MemoryState combine(
            io.ltm.schemas.MemoryState stored,
            IntFunction<byte[]> termSegment,
            IntFunction<byte[]> coefficientRecord,
            List<EncodedTokens> records,
            MemoryConfig config) {
        if (stored == null && records.isEmpty()) {
            return null;
        }
        io.ltm.schemas.MemoryState whole = stored == null ? null : MemoryStateCodec.withTermBits(stored, termSegment);
        if (stored != null && whole == null) {
            throw new IllegalStateException("the stored term filter segments do not match the memory record");
        }
        CoefficientLog log = stored == null ? null : CoefficientRecords.read(stored, coefficientRecord, config);
        if (stored != null && log == null && CoefficientRecords.keptApart(stored)) {
            throw new IllegalStateException("the stored coefficient records do not match the memory record");
        }
        MemoryState state = whole == null ? MemoryState.empty(config) : MemoryStateCodec.fromAvro(whole, config, log);
        return MemoryStores.withShortTerm(state, records, config);
    }
}
