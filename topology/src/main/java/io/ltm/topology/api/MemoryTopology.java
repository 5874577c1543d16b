package io.ltm.topology.api;

import java.util.Map;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.FailOnInvalidTimestamp;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import io.ltm.model.MemoryConfig;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.AttentionRequest;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.NoveltyScore;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.internal.ControlProcessor;
import io.ltm.topology.internal.IngestProcessor;
import io.ltm.topology.internal.InputValidator;
import io.ltm.topology.internal.Names;
import io.ltm.topology.internal.QueryProcessor;
import io.ltm.topology.internal.QueryVectors;
import io.ltm.topology.internal.RetentionWatch;
import io.ltm.topology.internal.ShortTermIndex;
import io.ltm.topology.internal.StoreSerdes;

/**
 * Builds the memory node: token events into per-key memory, queries answered on the responses topic,
 * control commands, bad input to the dead-letter topic. Use {@link #build} for a standalone node, or
 * {@link #addTo} to add the memory to a topology of your own (for example {@code streamsBuilder.build()}).
 */
public final class MemoryTopology {

    private MemoryTopology() {
    }

    /** A topology with only the memory node. {@code encoder} (may be null) encodes text queries. */
    public static Topology build(LtmConfig config, TextEncoder encoder) {
        return addTo(new Topology(), config, encoder);
    }

    /** As {@link #build(LtmConfig, TextEncoder)}; {@code oldRecords} is told the timestamp of every input record. */
    public static Topology build(LtmConfig config, TextEncoder encoder, RetentionWatch oldRecords) {
        return addTo(new Topology(), config, encoder, oldRecords);
    }

    /** Adds the memory node's sources, processors, stores and sinks to {@code topology}; returns it. */
    public static Topology addTo(Topology topology, LtmConfig config, TextEncoder encoder) {
        return addTo(topology, config, encoder, RetentionWatch.none());
    }

    /**
     * As {@link #addTo(Topology, LtmConfig, TextEncoder)}; {@code oldRecords} sees every input record's timestamp
     * and warns about records older than their topic's retention.
     */
    public static Topology addTo(Topology topology, LtmConfig config, TextEncoder encoder, RetentionWatch oldRecords) {
        MemoryConfig memory = config.memoryConfig();
        Map<String, Object> serdeConfig = config.serdeConfig();
        InputValidator validator = new InputValidator(memory.dim(), config.getInt(LtmConfig.INGEST_MAX_TOKENS));
        QueryVectors queryVectors = new QueryVectors(encoder, validator);
        boolean workerMode = LtmConfig.ATTENTION_MODE_WORKER.equals(config.getString(LtmConfig.ATTENTION_MODE));
        int maxSpans = config.getInt(LtmConfig.QUERY_MAX_SPANS);
        boolean novelty = config.getBoolean(LtmConfig.NOVELTY_ENABLED);

        // Inputs are read as bytes and decoded inside the processors, so undecodable records reach the DLQ.
        ByteArrayDeserializer bytes = new ByteArrayDeserializer();
        // Streams' own default extractor after the retention check: the record time stays what it was (the time
        // of writing on topics we create); the event's own time is read from the payload (source.timestamp)
        FailOnInvalidTimestamp recordTime = new FailOnInvalidTimestamp();
        TimestampExtractor watched = (record, partitionTime) -> {
            oldRecords.check(record.topic(), record.timestamp());
            return recordTime.extract(record, partitionTime);
        };
        AutoOffsetReset appDefault = null; // no per-source reset: the application's auto.offset.reset applies
        topology.addSource(appDefault, Names.SOURCE_TOKENS, watched, bytes, bytes, config.getString(LtmConfig.TOPIC_TOKENS));
        topology.addSource(appDefault, Names.SOURCE_QUERIES, watched, bytes, bytes, config.getString(LtmConfig.TOPIC_QUERIES));
        topology.addSource(appDefault, Names.SOURCE_CONTROL, watched, bytes, bytes, config.getString(LtmConfig.TOPIC_CONTROL));

        Serde<EncodedTokens> tokens = LtmSerdes.avro(EncodedTokens.class, serdeConfig);
        topology.addProcessor(Names.INGEST,
                () -> new IngestProcessor(memory, tokens.deserializer(), config.getInt(LtmConfig.INGEST_MAX_TOKENS), novelty),
                Names.SOURCE_TOKENS);
        Serde<MemoryQuery> queries = LtmSerdes.avro(MemoryQuery.class, serdeConfig);
        topology.addProcessor(Names.QUERY,
                () -> new QueryProcessor(memory, queries.deserializer(), queryVectors, maxSpans, workerMode),
                Names.SOURCE_QUERIES);
        Serde<ControlCommand> control = LtmSerdes.avro(ControlCommand.class, serdeConfig);
        topology.addProcessor(Names.CONTROL, () -> new ControlProcessor(memory, control.deserializer()),
                Names.SOURCE_CONTROL);

        String[] all = {Names.INGEST, Names.QUERY, Names.CONTROL};
        Map<String, String> compacted = Map.of("cleanup.policy", "compact");
        topology.addStateStore(store(Names.STORE_MEMORY, LtmSerdes.avro(io.ltm.schemas.MemoryState.class, serdeConfig),
                Map.of("cleanup.policy", "compact", "max.message.bytes", String.valueOf(LtmConfig.MAX_STATE_BYTES))), all);
        topology.addStateStore(store(Names.STORE_SHORT_TERM, LtmSerdes.avro(EncodedTokens.class, serdeConfig), compacted), all);
        topology.addStateStore(store(Names.STORE_SHORT_TERM_INDEX, ShortTermIndex.serde(), compacted), all);
        topology.addStateStore(store(Names.STORE_ATTENTION, StoreSerdes.histogram(), compacted), all);
        if (novelty) {
            // not through the thread's record cache: 49 KB values would crowd out the states (the processor caches them)
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.STORE_NOVELTY),
                    Serdes.String(), Serdes.ByteArray()).withCachingDisabled().withLoggingEnabled(compacted), all);
        }

        StringSerializer keys = new StringSerializer();
        topology.addSink(Names.SINK_RESPONSES, config.getString(LtmConfig.TOPIC_RESPONSES), keys,
                LtmSerdes.avro(MemoryResponse.class, serdeConfig).serializer(), Names.QUERY);
        topology.addSink(Names.SINK_ATTENTION_REQUESTS, config.getString(LtmConfig.TOPIC_ATTENTION_REQUESTS), keys,
                LtmSerdes.avro(AttentionRequest.class, serdeConfig).serializer(), Names.QUERY);
        if (novelty) {
            topology.addSink(Names.SINK_NOVELTY, config.getString(LtmConfig.TOPIC_NOVELTY), keys,
                    LtmSerdes.avro(NoveltyScore.class, serdeConfig).serializer(), Names.INGEST);
        }
        topology.addSink(Names.SINK_DLQ, config.getString(LtmConfig.TOPIC_DLQ), keys,
                LtmSerdes.avro(DeadLetter.class, serdeConfig).serializer(), all);
        return topology;
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values,
                                                                     Map<String, String> changelog) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values)
                .withCachingEnabled()
                .withLoggingEnabled(changelog);
    }
}
