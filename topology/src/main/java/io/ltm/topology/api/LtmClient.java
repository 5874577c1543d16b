package io.ltm.topology.api;

import io.ltm.schemas.ControlAction;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A client of a running LTM Streams setup over its topics: send events, ask queries and wait for their
 * answers (correlated by query id), forget keys. Thread-safe.
 */
public final class LtmClient implements AutoCloseable {

    private final LtmConfig config;
    private final KafkaProducer<String, Object> producer;
    private final KafkaConsumer<String, MemoryResponse> responses;
    private final Map<String, CompletableFuture<MemoryResponse>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread poller;

    public LtmClient(LtmConfig config) {
        this(config, Duration.ofMillis(config.getLong(LtmConfig.STARTUP_TIMEOUT_MS)));
    }

    /** {@code timeout}: for finding the responses topic's partitions. */
    public LtmClient(LtmConfig config, Duration timeout) {
        this.config = config;
        Map<String, Object> serdes = config.serdeConfig();
        Properties p = new Properties();
        p.putAll(config.clientOverrides(ProducerConfig.configNames()));
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LtmConfig.MAX_STATE_BYTES);
        // tokens, queries and commands go to their key's partition, where the node holds its memory
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, config.keyPlacement().getClass());
        Serde<org.apache.avro.specific.SpecificRecord> values =
                LtmSerdes.avro(org.apache.avro.specific.SpecificRecord.class, serdes);
        this.producer = new KafkaProducer<>(
                p,
                new StringSerializer(),
                (topic, v) -> values.serializer().serialize(topic, (org.apache.avro.specific.SpecificRecord) v));
        Properties c = new Properties();
        c.putAll(config.clientOverrides(ConsumerConfig.configNames()));
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.responses = new KafkaConsumer<>(
                c,
                new StringDeserializer(),
                LtmSerdes.avro(MemoryResponse.class, serdes).deserializer());
        String topic = config.getString(LtmConfig.TOPIC_RESPONSES);
        List<TopicPartition> parts = new ArrayList<>();
        responses.partitionsFor(topic, timeout).forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
        responses.assign(parts);
        responses.seekToEnd(parts);
        parts.forEach(tp -> responses.position(tp)); // resolve now: answers to later queries come after this point
        this.poller = new Thread(this::poll, "ltm-client-responses");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, MemoryResponse> r : responses.poll(Duration.ofMillis(100))) {
                    if (r.value() == null) {
                        continue;
                    }
                    CompletableFuture<MemoryResponse> f =
                            pending.remove(r.value().getQueryId());
                    if (f != null) {
                        f.complete(r.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    /** Sends a text event for the encode worker. */
    public void sendText(String key, String text, String sourceId) {
        send(config.getString(LtmConfig.TOPIC_EVENTS), key, textEvent(text, sourceId));
    }

    /** Sends already encoded tokens straight to the memory node. */
    public void sendTokens(String key, EncodedTokens tokens) {
        send(config.getString(LtmConfig.TOPIC_TOKENS), key, tokens);
    }

    /** Erases the key's memory for good. */
    public void forget(String key) {
        send(
                config.getString(LtmConfig.TOPIC_CONTROL),
                key,
                ControlCommand.newBuilder()
                        .setAction(ControlAction.FORGET)
                        .setCommandId(UUID.randomUUID().toString())
                        .setIssuedAt(Instant.now())
                        .build());
    }

    /** Asks a text question of one key's memory and waits for the answer. */
    public MemoryResponse query(String key, String text, int spans, Duration timeout) throws TimeoutException {
        return query(key, text, QueryOptions.newBuilder().setSpans(spans).build(), timeout);
    }

    /**
     * Asks a text question with the given options (spans, a two-stage read's {@code rereadTokens}, ...) and waits
     * for the answer. A two-stage read is answered by the reread worker ({@code ltm worker --role reread}).
     */
    public MemoryResponse query(String key, String text, QueryOptions options, Duration timeout)
            throws TimeoutException {
        return query(textQuery(key, text, options), timeout);
    }

    /**
     * As {@link #query(String, String, int, Duration)}, but the text goes to the encode worker (query requests
     * topic), which sends it on with vectors: for memory nodes that run without an encoder.
     */
    public MemoryResponse queryThroughEncodeWorker(String key, String text, int spans, Duration timeout)
            throws TimeoutException {
        return queryThroughEncodeWorker(
                key, text, QueryOptions.newBuilder().setSpans(spans).build(), timeout);
    }

    /** As {@link #query(String, String, QueryOptions, Duration)}, through the encode worker. */
    public MemoryResponse queryThroughEncodeWorker(String key, String text, QueryOptions options, Duration timeout)
            throws TimeoutException {
        return await(textQuery(key, text, options), config.getString(LtmConfig.TOPIC_QUERY_REQUESTS), timeout);
    }

    /** Sends a query and waits for the response with its query id. */
    public MemoryResponse query(MemoryQuery query, Duration timeout) throws TimeoutException {
        return await(query, config.getString(LtmConfig.TOPIC_QUERIES), timeout);
    }

    private static MemoryQuery textQuery(String key, String text, QueryOptions options) {
        return MemoryQuery.newBuilder()
                .setQueryId(UUID.randomUUID().toString())
                .setKey(key)
                .setText(text)
                .setOptions(options)
                .setRequestedAt(Instant.now())
                .build();
    }

    private MemoryResponse await(MemoryQuery query, String topic, Duration timeout) throws TimeoutException {
        CompletableFuture<MemoryResponse> f = new CompletableFuture<>();
        pending.put(query.getQueryId(), f);
        send(topic, query.getKey(), query);
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for query " + query.getQueryId(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read responses", e.getCause());
        } finally {
            pending.remove(query.getQueryId());
        }
    }

    private void send(String topic, String key, Object value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot send to " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sends a text event that happened at {@code eventTime} (for example the time stamped on a log line): the
     * spans and the timeline report this time. The record itself carries the time of writing, so retention counts
     * from now (see the README on retention). A null time means now.
     */
    public void sendText(String key, String text, String sourceId, Instant eventTime) {
        send(config.getString(LtmConfig.TOPIC_EVENTS), key, textEvent(text, sourceId, eventTime));
    }

    /** Sends without waiting for each acknowledgement (bulk loads); {@link #flush()} waits for all. */
    public void sendTextAsync(String key, String text, String sourceId) {
        sendTextAsync(key, text, sourceId, null);
    }

    /** As {@link #sendText(String, String, String, Instant)}, without waiting; {@link #flush()} waits for all. */
    public void sendTextAsync(String key, String text, String sourceId, Instant eventTime) {
        producer.send(new ProducerRecord<>(
                config.getString(LtmConfig.TOPIC_EVENTS), key, textEvent(text, sourceId, eventTime)));
    }

    private static TokenEvent textEvent(String text, String sourceId) {
        return textEvent(text, sourceId, null);
    }

    private static TokenEvent textEvent(String text, String sourceId, Instant eventTime) {
        return TokenEvent.newBuilder()
                .setText(text)
                .setSourceId(sourceId)
                .setEventTime(eventTime == null ? Instant.now() : eventTime)
                .build();
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        running.set(false);
        responses.wakeup();
        try {
            poller.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        responses.close();
        producer.close(Duration.ofSeconds(10));
    }
}
