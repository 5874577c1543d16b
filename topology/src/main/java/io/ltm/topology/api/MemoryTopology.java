package io.ltm.topology.api;

import io.ltm.model.MemoryConfig;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.AttentionRequest;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.NoveltyScore;
import io.ltm.schemas.RereadRequest;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.codec.InternalRecordSerde;
import io.ltm.topology.internal.CommitPacer;
import io.ltm.topology.internal.ControlProcessor;
import io.ltm.topology.internal.DeadLetters;
import io.ltm.topology.internal.DecodedState;
import io.ltm.topology.internal.IngestProcessor;
import io.ltm.topology.internal.InputValidator;
import io.ltm.topology.internal.KeyPartitioner;
import io.ltm.topology.internal.KeyRouter;
import io.ltm.topology.internal.Names;
import io.ltm.topology.internal.QueryProcessor;
import io.ltm.topology.internal.QueryVectors;
import io.ltm.topology.internal.ReadsSplitter;
import io.ltm.topology.internal.Rereads;
import io.ltm.topology.internal.RetentionWatch;
import io.ltm.topology.internal.ShortTermIndex;
import io.ltm.topology.internal.StoreSerdes;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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

/**
 * Builds the memory node: token events into per-key memory, queries answered on the responses topic,
 * control commands, bad input to the dead-letter topic. Use {@link #build} for a standalone node, or
 * {@link #addTo} to add the memory to a topology of your own (for example {@code streamsBuilder.build()}).
 * Queries and control commands not on their key's partition are written again to their topic on that partition
 * unless {@link LtmConfig#INPUT_REPARTITION} is false (see {@link io.ltm.topology.internal.Names}).
 */
public final class MemoryTopology {

    private MemoryTopology() {}

    /** A topology with only the memory node. {@code encoder} (may be null) encodes text queries. */
    public static Topology build(LtmConfig config, TextEncoder encoder) {
        return addTo(new Topology(), config, encoder);
    }

    /**
     * As {@link #build(LtmConfig, TextEncoder)}; {@code oldRecords} is told the timestamp of every input record. For
     * {@link MemoryNode} only: the watch is internal, and a user's application sees it through the node.
     */
    static Topology build(LtmConfig config, TextEncoder encoder, RetentionWatch oldRecords) {
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
    static Topology addTo(Topology topology, LtmConfig config, TextEncoder encoder, RetentionWatch oldRecords) {
        return addTo(
                topology, config, encoder, oldRecords, DecodedState.of(config.getLong(LtmConfig.INGEST_CACHE_BYTES)));
    }

    /** As above, with the process's decoded state given (tests look into it). */
    static Topology addTo(
            Topology topology, LtmConfig config, TextEncoder encoder, RetentionWatch oldRecords, DecodedState kept) {
        MemoryConfig memory = config.memoryConfig();
        Map<String, Object> serdeConfig = config.serdeConfig();
        InputValidator validator = InputValidator.of(config);
        QueryVectors queryVectors = new QueryVectors(encoder, validator);
        DeadLetters deadLetters = DeadLetters.of(config);
        boolean workerMode = config.attentionMode() == AttentionMode.WORKER;
        int maxSpans = config.getInt(LtmConfig.QUERY_MAX_SPANS);
        boolean novelty = config.getBoolean(LtmConfig.NOVELTY_ENABLED);
        CommitPacer answers = new CommitPacer(config.getLong(LtmConfig.QUERY_COMMIT_GAP_MS));

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
        topology.addSource(
                appDefault, Names.SOURCE_TOKENS, watched, bytes, bytes, config.getString(LtmConfig.TOPIC_TOKENS));
        topology.addSource(
                appDefault, Names.SOURCE_QUERIES, watched, bytes, bytes, config.getString(LtmConfig.TOPIC_QUERIES));
        topology.addSource(
                appDefault, Names.SOURCE_CONTROL, watched, bytes, bytes, config.getString(LtmConfig.TOPIC_CONTROL));
        KeyPlacement placement = config.keyPlacement();
        String[] queriesIn = {Names.SOURCE_QUERIES};
        String[] controlIn = {Names.SOURCE_CONTROL};
        if (config.getBoolean(LtmConfig.INPUT_REPARTITION)) {
            // Another client's partitioner may put a key's query on another partition than its tokens: such
            // records are written again to their topic, on the key's partition by the node's placement, as the
            // tokens are, so each reaches the task holding the key's memory.
            queriesIn = byKey(
                    topology,
                    placement,
                    config.getString(LtmConfig.TOPIC_QUERIES),
                    Names.SOURCE_QUERIES,
                    Names.ROUTER_QUERIES,
                    Names.QUERIES_OR_READS,
                    Names.SINK_QUERIES_BY_KEY,
                    // a pacer of their own: a detour's commit is followed at once by its answer's
                    new CommitPacer(config.getLong(LtmConfig.QUERY_COMMIT_GAP_MS)));
            controlIn = byKey(
                    topology,
                    placement,
                    config.getString(LtmConfig.TOPIC_CONTROL),
                    Names.SOURCE_CONTROL,
                    Names.ROUTER_CONTROL,
                    Names.CONTROL,
                    Names.SINK_CONTROL_BY_KEY,
                    new CommitPacer(-1)); // control commands wait for the commit interval
        }

        Serde<EncodedTokens> tokens = LtmSerdes.avro(EncodedTokens.class, serdeConfig);
        Serde<EncodedTokens> shortTerm = StoreSerdes.shortTerm(serdeConfig);
        topology.addProcessor(
                Names.INGEST,
                () -> new IngestProcessor(
                        memory, tokens.deserializer(), shortTerm, validator, deadLetters, novelty, kept),
                Names.SOURCE_TOKENS);
        // the attention worker's reads come with the queries (Names.HEADER_WORKER_READS says why)
        topology.addProcessor(
                Names.QUERIES_OR_READS, () -> new ReadsSplitter(Names.QUERY, Names.WORKER_READS), queriesIn);
        Serde<MemoryQuery> queries = LtmSerdes.avro(MemoryQuery.class, serdeConfig);
        ReadyMemoryCache readyCache = new ReadyMemoryCache(config.getLong(LtmConfig.QUERY_READY_CACHE_BYTES));
        Rereads rereads = new Rereads(config);
        topology.addProcessor(
                Names.QUERY,
                () -> new QueryProcessor(
                        memory,
                        queries.deserializer(),
                        queryVectors,
                        maxSpans,
                        workerMode,
                        config.getBoolean(LtmConfig.ATTENTION_RESIDENT),
                        deadLetters,
                        readyCache,
                        rereads,
                        shortTerm,
                        kept,
                        answers),
                Names.QUERIES_OR_READS);
        Serde<ControlCommand> control = LtmSerdes.avro(ControlCommand.class, serdeConfig);
        topology.addProcessor(
                Names.CONTROL,
                () -> new ControlProcessor(memory, control.deserializer(), deadLetters, shortTerm, kept),
                controlIn);
        topology.addProcessor(
                Names.WORKER_READS,
                () -> ControlProcessor.workerReads(memory, control.deserializer(), deadLetters, shortTerm, kept),
                Names.QUERIES_OR_READS);

        String[] all = {Names.INGEST, Names.QUERY, Names.CONTROL, Names.WORKER_READS};
        Map<String, String> compacted = Map.of("cleanup.policy", "compact");
        topology.addStateStore(
                store(
                        Names.STORE_MEMORY,
                        new InternalRecordSerde<>(io.ltm.schemas.MemoryState.class, serdeConfig),
                        Map.of(
                                "cleanup.policy",
                                "compact",
                                "max.message.bytes",
                                String.valueOf(LtmConfig.MAX_STATE_BYTES))),
                all);
        // the token events since the last contraction, in StoreSerdes.shortTerm's format (byte arrays here: the
        // processors encode and decode them, so that records of earlier releases are read too)
        topology.addStateStore(store(Names.STORE_SHORT_TERM, Serdes.ByteArray(), compacted), all);
        topology.addStateStore(store(Names.STORE_SHORT_TERM_INDEX, ShortTermIndex.serde(), compacted), all);
        topology.addStateStore(store(Names.STORE_ATTENTION, StoreSerdes.histogram(), compacted), all);
        topology.addStateStore(store(Names.STORE_TERMS, Serdes.ByteArray(), compacted), all);
        topology.addStateStore(
                store(
                        Names.STORE_COEFFICIENTS,
                        Serdes.ByteArray(),
                        Map.of(
                                "cleanup.policy",
                                "compact",
                                "max.message.bytes",
                                String.valueOf(LtmConfig.MAX_STATE_BYTES))),
                all);
        if (novelty) {
            // not through the thread's record cache: 49 KB values would crowd out the states (the processor caches
            // them); no changelog: a summary is a function of the memory, made again where the local store lacks it
            // (NoveltyTracker)
            topology.addStateStore(
                    Stores.keyValueStoreBuilder(
                                    Stores.persistentKeyValueStore(Names.STORE_NOVELTY),
                                    Serdes.String(),
                                    Serdes.ByteArray())
                            .withCachingDisabled()
                            .withLoggingDisabled(),
                    all);
        }

        StringSerializer keys = new StringSerializer();
        topology.addSink(
                Names.SINK_RESPONSES,
                config.getString(LtmConfig.TOPIC_RESPONSES),
                keys,
                LtmSerdes.avro(MemoryResponse.class, serdeConfig).serializer(),
                Names.QUERY);
        topology.addSink(
                Names.SINK_ATTENTION_REQUESTS,
                config.getString(LtmConfig.TOPIC_ATTENTION_REQUESTS),
                keys,
                LtmSerdes.avro(AttentionRequest.class, serdeConfig).serializer(),
                // on the partition of the key's memory: a worker replicates the changelogs of the partitions whose
                // requests it is given, and one that finds a request of another partition replicates that one too
                KeyPartitioner.ofStringKeys(placement),
                Names.QUERY);
        topology.addSink(
                Names.SINK_REREAD_REQUESTS,
                config.getString(LtmConfig.TOPIC_REREAD_REQUESTS),
                keys,
                LtmSerdes.avro(RereadRequest.class, serdeConfig).serializer(),
                Names.QUERY);
        if (novelty) {
            topology.addSink(
                    Names.SINK_NOVELTY,
                    config.getString(LtmConfig.TOPIC_NOVELTY),
                    keys,
                    LtmSerdes.avro(NoveltyScore.class, serdeConfig).serializer(),
                    Names.INGEST);
        }
        topology.addSink(
                Names.SINK_DLQ,
                config.getString(LtmConfig.TOPIC_DLQ),
                keys,
                LtmSerdes.avro(DeadLetter.class, serdeConfig).serializer(),
                all);
        return topology;
    }

    /**
     * {@code source} (reading {@code inputTopic}) -> a {@link KeyRouter}: records on their key's partition go straight
     * to {@code target}, the others to a sink that writes them again to {@code inputTopic} on that partition (by
     * {@code placement}), where the router sends them on. Returns {@code target}'s parent. Records pass as the bytes
     * they arrived as, with timestamps and headers.
     */
    private static String[] byKey(
            Topology topology,
            KeyPlacement placement,
            String inputTopic,
            String source,
            String router,
            String target,
            String sink,
            CommitPacer detours) {
        // shared: the router learns the partition count from it
        KeyPartitioner partitioner = new KeyPartitioner(placement);
        topology.addProcessor(router, () -> new KeyRouter(partitioner, target, sink, detours), source);
        ByteArraySerializer bytesOut = new ByteArraySerializer();
        topology.addSink(sink, inputTopic, bytesOut, bytesOut, partitioner, router);
        return new String[] {router};
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(
            String name, Serde<V> values, Map<String, String> changelog) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values)
                .withCachingEnabled()
                .withLoggingEnabled(changelog);
    }
}
