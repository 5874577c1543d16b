package io.ltm.topology.worker;

import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryConfig;
import io.ltm.model.ReadOptions;
import io.ltm.model.ReadRequest;
import io.ltm.model.ReadResult;
import io.ltm.model.ReadyMemoryCache;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.AttentionRequest;
import io.ltm.schemas.ControlAction;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.RereadRequest;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.MemoryStateCodec;
import io.ltm.topology.internal.Failures;
import io.ltm.topology.internal.InputValidator;
import io.ltm.topology.internal.MemoryReplicas;
import io.ltm.topology.internal.MemoryStores;
import io.ltm.topology.internal.Names;
import io.ltm.topology.internal.QueryVectors;
import io.ltm.topology.internal.Rereads;
import io.ltm.topology.internal.Responses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker role {@code attend}: AttentionRequests (emitted by memory nodes with {@code ltm.attention.mode=worker}) in,
 * MemoryResponses out, exactly once. A request names the version of the key's memory, read from this worker's
 * {@link MemoryReplicas} of the node's changelogs (resident mode, {@code ltm.attention.resident}), or carries a
 * snapshot of the memory. All requests of a poll,
 * across keys, are answered by one batched read on the engine's device (the GPU when present). Where the reads
 * attended goes back to the node as RECORD_READS control commands, so sticky memories see worker-answered reads
 * too: summed per key and sent every {@code ltm.attention.reads.interval.ms}, on the queries topic with the header
 * {@link Names#HEADER_WORKER_READS} (it says why). A query that asks for a two-stage read leaves as a RereadRequest
 * instead.
 */
public final class AttentionWorker extends TransactionalLoop {

    private static final Logger LOG = LoggerFactory.getLogger(AttentionWorker.class);

    public static final String ROLE = "attend";

    private final MemoryConfig memory;
    private final LongTermMemory engine;
    private final QueryVectors queryVectors;
    private final int maxSpans;
    private final Serde<AttentionRequest> requests;
    private final Serde<MemoryResponse> responses;
    private final Serde<ControlCommand> control;
    private final String controlTopic;
    private final String queriesTopic;
    private final String responsesTopic;
    private final Rereads rereads;
    private final Serde<RereadRequest> rereadRequests;
    private final String rereadTopic;
    private final MemoryReplicas replicas;
    private final long replicaWaitMs;
    private final Set<Integer> released = new HashSet<>(); // revoked in the rebalance under way
    private final long readsIntervalMs;
    /** Reads of answers already committed, not sent yet, summed per key. */
    private final Map<String, double[]> heldReads = new LinkedHashMap<>();
    /** Reads of the answers in the transaction under way. */
    private final Map<String, double[]> stagedReads = new LinkedHashMap<>();
    /** The transaction under way sends {@link #heldReads} (and {@link #stagedReads}). */
    private boolean sendingReads;

    private long readsSentAt = System.currentTimeMillis();

    public AttentionWorker(LtmConfig config, TextEncoder encoder, String instanceId) {
        this(
                config,
                encoder,
                LongTermMemory.create(config.memoryConfig()),
                consumer(config, ROLE, instanceId),
                () -> producer(config, ROLE, instanceId),
                cache -> new MemoryReplicas(config, cache));
    }

    /** With a given engine and clients, and the replicas built on the worker's ready cache (tests pass mocks). */
    AttentionWorker(
            LtmConfig config,
            TextEncoder encoder,
            LongTermMemory engine,
            Consumer<byte[], byte[]> consumer,
            Supplier<Producer<String, byte[]>> producers,
            Function<ReadyMemoryCache, MemoryReplicas> replicas) {
        super(config, ROLE, List.of(config.getString(LtmConfig.TOPIC_ATTENTION_REQUESTS)), consumer, producers);
        this.memory = config.memoryConfig();
        this.engine = engine;
        ReadyMemoryCache cache = new ReadyMemoryCache(config.getLong(LtmConfig.QUERY_READY_CACHE_BYTES));
        engine.setReadyCache(cache);
        engine.setDeviceMemoryBytes(config.getLong(LtmConfig.ATTENTION_DEVICE_MEMORY_BYTES));
        this.replicas = replicas.apply(cache);
        this.replicaWaitMs = config.getLong(LtmConfig.ATTENTION_REPLICA_WAIT_MS);
        this.readsIntervalMs = config.getLong(LtmConfig.ATTENTION_READS_INTERVAL_MS);
        this.queryVectors = new QueryVectors(encoder, InputValidator.of(config));
        this.maxSpans = config.getInt(LtmConfig.QUERY_MAX_SPANS);
        this.requests = LtmSerdes.avro(AttentionRequest.class, config.serdeConfig());
        this.responses = LtmSerdes.avro(MemoryResponse.class, config.serdeConfig());
        this.control = LtmSerdes.avro(ControlCommand.class, config.serdeConfig());
        this.controlTopic = config.getString(LtmConfig.TOPIC_CONTROL);
        this.queriesTopic = config.getString(LtmConfig.TOPIC_QUERIES);
        this.responsesTopic = config.getString(LtmConfig.TOPIC_RESPONSES);
        this.rereads = new Rereads(config);
        this.rereadRequests = LtmSerdes.avro(RereadRequest.class, config.serdeConfig());
        this.rereadTopic = config.getString(LtmConfig.TOPIC_REREAD_REQUESTS);
    }

    /** A request that passed its checks, waiting for the batched read. */
    private record Read(ConsumerRecord<byte[], byte[]> record, ReadRequest request, MemoryQuery query, long bytes) {}

    @Override
    protected List<ProducerRecord<String, byte[]>> process(ConsumerRecords<byte[], byte[]> batch) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        List<Read> reads = new ArrayList<>();
        long now = System.currentTimeMillis();
        long replicaDeadline = System.nanoTime() + replicaWaitMs * 1_000_000L;
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            MemoryQuery q = null;
            try {
                AttentionRequest req = requests.deserializer().deserialize(r.topic(), r.value());
                q = req.getQuery();
                MemoryStores.Loaded loaded;
                if (req.getVersion() != null) {
                    loaded = replicas.await(q.getKey(), req.getVersion(), replicaDeadline);
                    if (loaded == null) {
                        out.add(response(Responses.error(
                                q.getQueryId(),
                                q.getKey(),
                                "the attention worker's replica "
                                        + "of this memory did not reach the version the node read within "
                                        + replicaWaitMs
                                        + " ms (" + LtmConfig.ATTENTION_REPLICA_WAIT_MS + ")",
                                Responses.BY_WORKER,
                                now)));
                        continue;
                    }
                } else if (req.getState() == null) {
                    out.add(response(Responses.notFound(q, Responses.BY_WORKER, now)));
                    continue;
                } else {
                    loaded = new MemoryStores.Loaded(
                            MemoryStateCodec.fromAvro(req.getState(), memory),
                            vectorBytes(req.getState().getCoefficients())
                                    + vectorBytes(req.getState().getShortTerm()));
                }
                ReadOptions options = Responses.options(q.getOptions(), maxSpans);
                QueryVectors.Encoded v = queryVectors.of(q);
                reads.add(new Read(
                        r,
                        new ReadRequest(q.getKey(), loaded.state(), v.vectors(), v.count(), options, v.tokens()),
                        q,
                        loaded.vectorBytes()));
            } catch (RuntimeException e) {
                reject(out, r, q, e, now);
            }
        }
        if (reads.isEmpty()) {
            sendReadsIfDue(out, now);
            return out;
        }
        List<ReadResult> results;
        try {
            results = engine.readBatch(reads.stream().map(Read::request).toList());
        } catch (RuntimeException e) {
            // a request that passed the checks still failed the batched read (e.g. the TRAINED head asked of a
            // worker without weights): read one by one, so that only the bad ones are rejected and the batch is
            // not retried forever
            LOG.warn("batched read of {} requests failed; reading them one by one", reads.size(), e);
            results = null;
        }
        for (int i = 0; i < reads.size(); i++) {
            Read read = reads.get(i);
            ReadResult result;
            if (results != null) {
                result = results.get(i);
            } else {
                try {
                    result = engine.readBatch(List.of(read.request())).get(0);
                } catch (RuntimeException e) {
                    reject(out, read.record(), read.query(), e, now);
                    continue;
                }
            }
            MemoryQuery q = read.query();
            ReadRequest rq = read.request();
            MemoryResponse answer =
                    Responses.answer(q, result, Responses.stats(rq.state(), read.bytes()), Responses.BY_WORKER, now);
            RereadRequest reread =
                    rereads.request(q, answer, result, rq.state(), rq.query(), rq.queryCount(), rq.queryTokens());
            out.add(
                    reread == null
                            ? response(answer)
                            : new ProducerRecord<>(
                                    rereadTopic,
                                    q.getKey(),
                                    rereadRequests.serializer().serialize(rereadTopic, reread)));
            if (result.attentionHistogram() != null) {
                add(stagedReads, q.getKey(), result.attentionHistogram());
            }
        }
        sendReadsIfDue(out, now);
        return out;
    }

    /** Adds the held and staged reads to the transaction's output when the interval has passed. */
    private void sendReadsIfDue(List<ProducerRecord<String, byte[]>> out, long now) {
        if (now - readsSentAt >= readsIntervalMs && !(heldReads.isEmpty() && stagedReads.isEmpty())) {
            Map<String, double[]> all = new LinkedHashMap<>(heldReads.size() + stagedReads.size());
            heldReads.forEach((k, h) -> add(all, k, h));
            stagedReads.forEach((k, h) -> add(all, k, h));
            all.forEach((k, h) -> out.add(recordReads(k, h, now)));
            sendingReads = true;
        }
    }

    private static void add(Map<String, double[]> reads, String key, double[] histogram) {
        double[] sum = reads.computeIfAbsent(key, k -> new double[histogram.length]);
        for (int i = 0; i < histogram.length; i++) {
            sum[i] += histogram[i];
        }
    }

    /** Between requests the replicas follow the changelogs, so a request seldom waits for its version. */
    @Override
    protected void idle() {
        replicas.poll(Duration.ZERO);
    }

    @Override
    protected List<ProducerRecord<String, byte[]>> due(boolean closing) {
        long now = System.currentTimeMillis();
        if (heldReads.isEmpty() || !(closing || now - readsSentAt >= readsIntervalMs)) {
            return List.of();
        }
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>(heldReads.size());
        heldReads.forEach((k, h) -> out.add(recordReads(k, h, now)));
        sendingReads = true;
        return out;
    }

    @Override
    protected void committed() {
        if (sendingReads) {
            heldReads.clear();
            readsSentAt = System.currentTimeMillis();
        } else {
            stagedReads.forEach((k, h) -> add(heldReads, k, h));
        }
        stagedReads.clear();
        sendingReads = false;
    }

    @Override
    protected void aborted() {
        stagedReads.clear();
        sendingReads = false;
    }

    /** Dead-letters a request and, when its query is known, answers it with the error. */
    private void reject(
            List<ProducerRecord<String, byte[]>> out,
            ConsumerRecord<byte[], byte[]> r,
            MemoryQuery q,
            RuntimeException e,
            long now) {
        if (Failures.isInfrastructure(e)) {
            throw e; // the whole batch is retried: the request may be fine
        }
        out.add(deadLetter(r, e));
        if (q != null) {
            out.add(response(Responses.error(
                    q.getQueryId(), q.getKey(), "query rejected: " + e.getMessage(), Responses.BY_WORKER, now)));
        }
    }

    private ProducerRecord<String, byte[]> recordReads(String key, double[] histogram, long now) {
        List<Double> h = new ArrayList<>(histogram.length);
        for (double v : histogram) {
            h.add(v);
        }
        ControlCommand c = ControlCommand.newBuilder()
                .setAction(ControlAction.RECORD_READS)
                .setAttentionHistogram(h)
                .setIssuedAt(java.time.Instant.ofEpochMilli(now))
                .build();
        // serialised as for the control topic, so the command's schema stays under that topic's subject
        byte[] value = control.serializer().serialize(controlTopic, c);
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(queriesTopic, key, value);
        r.headers().add(Names.HEADER_WORKER_READS, new byte[0]);
        return r;
    }

    private static long vectorBytes(io.ltm.schemas.VectorBlock b) {
        return b == null ? 0 : b.getData().remaining();
    }

    private ProducerRecord<String, byte[]> response(MemoryResponse r) {
        return new ProducerRecord<>(
                responsesTopic, r.getKey(), responses.serializer().serialize(responsesTopic, r));
    }

    /**
     * Replicas follow the request partitions (the node's task partition p writes changelog partition p). A partition
     * given up is dropped only once the rebalance has assigned the others: with the eager protocol every partition is
     * revoked first, and one assigned again keeps its replica instead of rebuilding it.
     */
    @Override
    protected void assigned(Collection<TopicPartition> partitions) {
        List<Integer> ps = partitions.stream().map(TopicPartition::partition).toList();
        released.removeAll(ps);
        replicas.stop(released);
        released.clear();
        replicas.serve(ps);
    }

    @Override
    protected void revoked(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> released.add(tp.partition()));
    }

    @Override
    public void close() {
        super.close();
        replicas.close();
        engine.close();
    }
}
