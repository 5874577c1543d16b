package io.ltm.topology.worker;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;

import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.MemoryStateCodec;
import io.ltm.model.ReadRequest;
import io.ltm.model.ReadResult;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.AttentionRequest;
import io.ltm.schemas.ControlAction;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.internal.InputValidator;
import io.ltm.topology.internal.QueryVectors;
import io.ltm.topology.internal.Responses;

/**
 * Worker role {@code attend}: AttentionRequests (a query plus a snapshot of the key's memory, emitted by memory
 * nodes with {@code ltm.attention.mode=worker}) in, MemoryResponses out, exactly once. All requests of a poll,
 * across keys, are answered by one batched read on the engine's device (the GPU when present). Where the reads
 * attended goes back to the node as a RECORD_READS control command in the same transaction, so sticky memories
 * see worker-answered reads too.
 */
public final class AttentionWorker extends TransactionalLoop {

    public static final String ROLE = "attend";

    private final MemoryConfig memory;
    private final LongTermMemory engine;
    private final QueryVectors queryVectors;
    private final int maxSpans;
    private final Serde<AttentionRequest> requests;
    private final Serde<MemoryResponse> responses;
    private final Serde<ControlCommand> control;
    private final String controlTopic;
    private final String responsesTopic;

    public AttentionWorker(LtmConfig config, TextEncoder encoder, String instanceId) {
        super(config, ROLE, instanceId, List.of(config.getString(LtmConfig.TOPIC_ATTENTION_REQUESTS)));
        this.memory = config.memoryConfig();
        this.engine = LongTermMemory.create(memory);
        engine.setReadyCache(new ReadyMemoryCache(config.getLong(LtmConfig.QUERY_READY_CACHE_BYTES)));
        this.queryVectors = new QueryVectors(encoder,
                new InputValidator(memory.dim(), config.getInt(LtmConfig.INGEST_MAX_TOKENS)));
        this.maxSpans = config.getInt(LtmConfig.QUERY_MAX_SPANS);
        this.requests = LtmSerdes.avro(AttentionRequest.class, config.serdeConfig());
        this.responses = LtmSerdes.avro(MemoryResponse.class, config.serdeConfig());
        this.control = LtmSerdes.avro(ControlCommand.class, config.serdeConfig());
        this.controlTopic = config.getString(LtmConfig.TOPIC_CONTROL);
        this.responsesTopic = config.getString(LtmConfig.TOPIC_RESPONSES);
    }

    @Override
    protected List<ProducerRecord<String, byte[]>> process(ConsumerRecords<byte[], byte[]> batch) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        List<ReadRequest> reads = new ArrayList<>();
        List<MemoryQuery> readQueries = new ArrayList<>();
        List<MemoryState> readStates = new ArrayList<>();
        List<Long> readBytes = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            MemoryQuery q = null;
            try {
                AttentionRequest req = requests.deserializer().deserialize(r.topic(), r.value());
                q = req.getQuery();
                if (req.getState() == null) {
                    out.add(response(Responses.notFound(q, Responses.BY_WORKER, now)));
                    continue;
                }
                MemoryState state = MemoryStateCodec.fromAvro(req.getState(), memory);
                QueryVectors.Encoded v = queryVectors.of(q);
                reads.add(new ReadRequest(q.getKey(), state, v.vectors(), v.count(),
                        Responses.options(q.getOptions(), maxSpans)));
                readQueries.add(q);
                readStates.add(state);
                readBytes.add(vectorBytes(req.getState().getCoefficients())
                        + vectorBytes(req.getState().getShortTerm()));
            } catch (RuntimeException e) {
                out.add(deadLetter(r, e));
                if (q != null) {
                    out.add(response(Responses.error(q.getQueryId(), q.getKey(), "query rejected: " + e.getMessage(),
                            Responses.BY_WORKER, now)));
                }
            }
        }
        if (!reads.isEmpty()) {
            List<ReadResult> results = engine.readBatch(reads);
            for (int i = 0; i < results.size(); i++) {
                MemoryState s = readStates.get(i);
                MemoryQuery q = readQueries.get(i);
                ReadResult r = results.get(i);
                out.add(response(Responses.answer(q, r, Responses.stats(s, readBytes.get(i)), Responses.BY_WORKER, now)));
                if (r.attentionHistogram() != null) {
                    out.add(recordReads(q.getKey(), r.attentionHistogram(), now));
                }
            }
        }
        return out;
    }

    private ProducerRecord<String, byte[]> recordReads(String key, double[] histogram, long now) {
        List<Double> h = new ArrayList<>(histogram.length);
        for (double v : histogram) {
            h.add(v);
        }
        ControlCommand c = ControlCommand.newBuilder().setAction(ControlAction.RECORD_READS)
                .setAttentionHistogram(h).setIssuedAt(java.time.Instant.ofEpochMilli(now)).build();
        return new ProducerRecord<>(controlTopic, key, control.serializer().serialize(controlTopic, c));
    }

    private static long vectorBytes(io.ltm.schemas.VectorBlock b) {
        return b == null ? 0 : b.getData().remaining();
    }

    private ProducerRecord<String, byte[]> response(MemoryResponse r) {
        return new ProducerRecord<>(responsesTopic, r.getKey(), responses.serializer().serialize(responsesTopic, r));
    }

    @Override
    public void close() {
        super.close();
        engine.close();
    }
}
