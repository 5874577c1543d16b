package io.ltm.topology.internal;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.MemoryStateCodec;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadResult;
import io.ltm.schemas.AttentionRequest;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;

/**
 * Answers queries from the key's memory: in line on the CPU (long-term continuous attention plus short-term
 * attention), or, in worker mode, by handing an {@link AttentionRequest} with a snapshot of the memory to the
 * attention worker. A stream thread never waits on a GPU. Every query gets an answer: unknown keys and bad
 * queries get a response saying so (bad ones also go to the dead-letter topic).
 */
public final class QueryProcessor implements Processor<byte[], byte[], String, SpecificRecord> {

    private final MemoryConfig config;
    private final Deserializer<MemoryQuery> deserializer;
    private final QueryVectors queryVectors;
    private final int maxSpans;
    private final boolean workerMode;
    private ProcessorContext<String, SpecificRecord> context;
    private MemoryStores stores;
    private LongTermMemory engine;
    private NodeMetrics metrics;

    public QueryProcessor(MemoryConfig config, Deserializer<MemoryQuery> deserializer, QueryVectors queryVectors,
                          int maxSpans, boolean workerMode) {
        this.config = config;
        this.deserializer = deserializer;
        this.queryVectors = queryVectors;
        this.maxSpans = maxSpans;
        this.workerMode = workerMode;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.stores = new MemoryStores(context, config);
        this.engine = workerMode ? null : LongTermMemory.create(config);
        this.metrics = new NodeMetrics(context);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long start = System.nanoTime();
        MemoryQuery query = null;
        try {
            String key = Keys.decode(record.key());
            if (record.value() == null || record.value().length == 0) {
                throw new InvalidInputException("empty query");
            }
            String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
            query = deserializer.deserialize(topic, record.value());
            if (!key.equals(query.getKey())) {
                throw new InvalidInputException("query for key '" + query.getKey() + "' was sent with record key '"
                        + key + "'; the record key must be the memory key");
            }
            answer(key, query, record.timestamp());
        } catch (RuntimeException e) {
            // bad input (InvalidInputException, SerializationException) or a failure of the math on this
            // key's input: either way nothing was written yet, and the other keys must go on
            reject(record, query, e);
        } finally {
            metrics.queries.record((System.nanoTime() - start) / 1e6);
        }
    }

    private void answer(String key, MemoryQuery query, long timestamp) {
        ReadOptions options = Responses.options(query.getOptions(), maxSpans);
        MemoryStores.Loaded loaded = stores.loadWithBytes(key);
        MemoryState state = loaded == null ? null : loaded.state();
        long now = context.currentSystemTimeMs();
        if (state == null) {
            forward(key, Responses.notFound(query, Responses.BY_NODE, now), timestamp, Names.SINK_RESPONSES);
            return;
        }
        if (workerMode) {
            if (query.getVectors() != null) {
                queryVectors.of(query); // reject bad vectors here, where the record can still go to the DLQ
            }
            AttentionRequest request = AttentionRequest.newBuilder().setQuery(query)
                    .setState(MemoryStateCodec.toAvro(state, config)).build();
            forward(key, request, timestamp, Names.SINK_ATTENTION_REQUESTS);
            return;
        }
        QueryVectors.Encoded q = queryVectors.of(query);
        ReadResult result = engine.read(state, q.vectors(), q.count(), options);
        if (config.sticky() && result.attentionHistogram() != null) {
            stores.attention.put(key, engine.recordRead(state, result).stickyHistogram());
        }
        MemoryResponse response = Responses.answer(query, result, Responses.stats(state, loaded.storedBytes()),
                Responses.BY_NODE, now);
        forward(key, response, timestamp, Names.SINK_RESPONSES);
    }

    private void reject(Record<byte[], byte[]> record, MemoryQuery query, Exception e) {
        metrics.deadLetters.record(1);
        String key = Keys.lenient(record.key());
        forward(key, DeadLetters.of(context, record, e, Names.QUERY), record.timestamp(), Names.SINK_DLQ);
        if (query != null) {
            forward(key, Responses.error(query.getQueryId(), query.getKey(), "query rejected: " + e.getMessage(),
                    Responses.BY_NODE, context.currentSystemTimeMs()), record.timestamp(), Names.SINK_RESPONSES);
        }
    }

    private void forward(String key, SpecificRecord value, long timestamp, String child) {
        context.forward(new Record<>(key, value, timestamp), child);
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
