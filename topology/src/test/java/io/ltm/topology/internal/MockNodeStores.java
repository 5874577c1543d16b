package io.ltm.topology.internal;

import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.InternalRecordSerde;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The node's stores in memory, without changelogs, in a {@link MockProcessorContext}, and ingest processors over them:
 * a processor started afresh over the stores another one filled is a task's processor after a restore.
 */
public final class MockNodeStores {
    private MockNodeStores() {}

    public static MockProcessorContext<String, Object> context(LtmConfig config) {
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        Serde<byte[]> bytes = Serdes.ByteArray();
        add(
                context,
                Names.STORE_MEMORY,
                new InternalRecordSerde<>(io.ltm.schemas.MemoryState.class, config.serdeConfig()));
        add(context, Names.STORE_SHORT_TERM, bytes);
        add(context, Names.STORE_SHORT_TERM_INDEX, ShortTermIndex.serde());
        add(context, Names.STORE_ATTENTION, StoreSerdes.histogram());
        add(context, Names.STORE_TERMS, bytes);
        add(context, Names.STORE_COEFFICIENTS, bytes);
        add(context, Names.STORE_NOVELTY, bytes);
        return context;
    }

    private static <V> void add(MockProcessorContext<String, Object> context, String name, Serde<V> values) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    /** A novelty-scoring ingest processor over the context's stores, with caches of its own (none shared). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static IngestProcessor ingest(LtmConfig config, MockProcessorContext<String, Object> context) {
        IngestProcessor p = new IngestProcessor(
                config.memoryConfig(),
                LtmSerdes.avro(EncodedTokens.class, config.serdeConfig()).deserializer(),
                StoreSerdes.shortTerm(config.serdeConfig()),
                InputValidator.of(config),
                DeadLetters.of(config),
                true,
                null);
        p.init((MockProcessorContext) context);
        return p;
    }
}
