package io.ltm.topology.internal;

import ai.djl.Device;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadRequest;
import io.ltm.model.ReadResult;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.schemas.AttentionRequest;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.RereadRequest;
import io.ltm.topology.codec.MemoryStateCodec;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;

/**
 * Answers queries from the key's memory: in line on the CPU (long-term continuous attention plus short-term
 * attention), or, in worker mode, by handing an {@link AttentionRequest} to the attention worker: with the version of
 * the memory, which the worker reads from its replica of the changelogs ({@code ltm.attention.resident}), or with a
 * snapshot of the memory. A stream thread never waits on a GPU. Every query gets an answer: unknown keys and bad
 * queries get a response saying so (bad ones also go to the dead-letter topic). A query that asks for a
 * two-stage read leaves as a {@link RereadRequest} for the reread worker, which completes its answer.
 */
public final class QueryProcessor extends DecodingProcessor<MemoryQuery> {

    private final MemoryConfig config;
    private final QueryVectors queryVectors;
    private final int maxSpans;
    private final boolean workerMode;
    private final Rereads rereads;
    private final boolean resident; // worker mode: requests name the memory version instead of carrying the memory
    private final CommitPacer pacer;
    private CommitPacer.Task commits;
    private MemoryStores stores;
    private LongTermMemory engine;
    private final ReadyMemoryCache readyCache; // shared by the node's query processors: keys per memory version
    private final Serde<EncodedTokens> records;
    private final DecodedState kept;

    public QueryProcessor(
            MemoryConfig config,
            Deserializer<MemoryQuery> deserializer,
            QueryVectors queryVectors,
            int maxSpans,
            boolean workerMode,
            boolean resident,
            DeadLetters deadLetters,
            ReadyMemoryCache readyCache,
            Rereads rereads,
            Serde<EncodedTokens> records,
            DecodedState kept,
            CommitPacer pacer) {
        super(deserializer, Names.QUERY, "query", deadLetters);
        this.pacer = pacer;
        this.records = records;
        this.kept = kept;
        this.readyCache = readyCache;
        this.config = config;
        this.queryVectors = queryVectors;
        this.maxSpans = maxSpans;
        this.workerMode = workerMode;
        this.rereads = rereads;
        this.resident = resident;
    }

    @Override
    protected void open() {
        this.stores = new MemoryStores(context, config, records, kept, metrics);
        this.commits = pacer.forTask(context);
        // in line on the CPU: a stream thread never waits on a GPU (the attention worker uses it)
        this.engine = workerMode ? null : LongTermMemory.create(config, Device.cpu());
        if (engine != null) {
            engine.setReadyCache(readyCache);
        }
    }

    @Override
    protected void handle(String key, MemoryQuery query, long timestamp) {
        if (!key.equals(query.getKey())) {
            throw new InvalidInputException("query for key '" + query.getKey() + "' was sent with record key '" + key
                    + "'; the record key must be the memory key");
        }
        long start = System.nanoTime();
        answer(key, query, timestamp);
        metrics.queries.record((System.nanoTime() - start) / 1e6);
        commits.written(); // under exactly-once the answer (or the worker's request) is visible once committed
    }

    /** A query that could be decoded still gets an answer: the error, so the caller does not wait in vain. */
    @Override
    protected void rejected(MemoryQuery query, RuntimeException error, long timestamp) {
        if (query != null) {
            forward(
                    query.getKey(),
                    Responses.error(
                            query.getQueryId(),
                            query.getKey(),
                            "query rejected: " + error.getMessage(),
                            Responses.BY_NODE,
                            context.currentSystemTimeMs()),
                    timestamp,
                    Names.SINK_RESPONSES);
            commits.written();
        }
    }

    private void answer(String key, MemoryQuery query, long timestamp) {
        ReadOptions options = Responses.options(query.getOptions(), maxSpans);
        // checked before the key is looked up: a malformed query is rejected whether or not the key has a memory.
        // In worker mode the worker encodes text; what can be checked without encoding is checked here, where the
        // record can still go to the DLQ.
        QueryVectors.Encoded q = null;
        if (workerMode) {
            queryVectors.check(query);
        } else {
            q = queryVectors.of(query);
        }
        long now = context.currentSystemTimeMs();
        if (workerMode && resident) {
            io.ltm.schemas.MemoryVersion version =
                    stores.version(key, context.taskId().partition());
            if (version == null) {
                forward(key, Responses.notFound(query, Responses.BY_NODE, now), timestamp, Names.SINK_RESPONSES);
            } else {
                forward(
                        key,
                        AttentionRequest.newBuilder()
                                .setQuery(query)
                                .setVersion(version)
                                .build(),
                        timestamp,
                        Names.SINK_ATTENTION_REQUESTS);
            }
            return;
        }
        MemoryStores.Loaded loaded = stores.load(key, workerMode ? null : readyCache);
        if (loaded == null) {
            forward(key, Responses.notFound(query, Responses.BY_NODE, now), timestamp, Names.SINK_RESPONSES);
            return;
        }
        MemoryState state = loaded.state();
        if (workerMode) {
            AttentionRequest request = AttentionRequest.newBuilder()
                    .setQuery(query)
                    .setState(MemoryStateCodec.toAvro(state, config))
                    .build();
            forward(key, request, timestamp, Names.SINK_ATTENTION_REQUESTS);
            return;
        }
        ReadResult result = engine.read(new ReadRequest(key, state, q.vectors(), q.count(), options, q.tokens()));
        if (config.sticky() && result.attentionHistogram() != null) {
            stores.addReads(key, result.attentionHistogram());
        }
        MemoryResponse response =
                Responses.answer(query, result, Responses.stats(state, loaded.vectorBytes()), Responses.BY_NODE, now);
        RereadRequest reread = rereads.request(query, response, result, state, q.vectors(), q.count(), q.tokens());
        if (reread != null) {
            forward(key, reread, timestamp, Names.SINK_REREAD_REQUESTS);
        } else {
            forward(key, response, timestamp, Names.SINK_RESPONSES);
        }
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
