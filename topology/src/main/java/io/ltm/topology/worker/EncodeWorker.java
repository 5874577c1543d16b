package io.ltm.topology.worker;

import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.WireVectors;
import io.ltm.topology.internal.Failures;
import io.ltm.topology.internal.InputValidator;
import io.ltm.topology.internal.InvalidInputException;
import io.ltm.topology.internal.Keys;
import io.ltm.topology.internal.Responses;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Worker role {@code encode}: TokenEvents in, EncodedTokens out, and text queries in, queries with vectors out,
 * exactly once. The texts of a whole poll (events and queries together) are encoded in one batched model call;
 * events that already carry vectors pass through after validation. The source (topic, partition, offset,
 * timestamp) of each event travels with its vectors into the memory's timeline. Bad records go to the
 * dead-letter topic (texts are measured against the limits before the model call, so an oversized one costs
 * nothing), and a rejected query is answered with an error so its caller does not wait for a timeout.
 */
public final class EncodeWorker extends TransactionalLoop {

    public static final String ROLE = "encode";

    private final TextEncoder encoder;
    private final InputValidator validator;
    private final Serde<TokenEvent> events;
    private final Serde<EncodedTokens> tokens;
    private final Serde<MemoryQuery> queries;
    private final Serde<MemoryResponse> responses;
    private final String queryRequestsTopic;
    private final String responsesTopic;
    private final String queriesTopic;
    private final String tokensTopic;

    public EncodeWorker(LtmConfig config, TextEncoder encoder, String instanceId) {
        this(config, encoder, consumer(config, ROLE, instanceId), () -> producer(config, ROLE, instanceId));
    }

    /** With given clients (tests pass mock clients). */
    EncodeWorker(
            LtmConfig config,
            TextEncoder encoder,
            Consumer<byte[], byte[]> consumer,
            Supplier<Producer<String, byte[]>> producers) {
        super(config, ROLE, topics(config), consumer, producers);
        this.encoder = encoder;
        this.validator = InputValidator.of(config);
        this.events = LtmSerdes.avro(TokenEvent.class, config.serdeConfig());
        this.tokens = LtmSerdes.avro(EncodedTokens.class, config.serdeConfig());
        this.queries = LtmSerdes.avro(MemoryQuery.class, config.serdeConfig());
        this.responses = LtmSerdes.avro(MemoryResponse.class, config.serdeConfig());
        this.queryRequestsTopic = config.getString(LtmConfig.TOPIC_QUERY_REQUESTS);
        this.queriesTopic = config.getString(LtmConfig.TOPIC_QUERIES);
        this.tokensTopic = config.getString(LtmConfig.TOPIC_TOKENS);
        this.responsesTopic = config.getString(LtmConfig.TOPIC_RESPONSES);
        if (encoder.dimension() != validator.dim()) {
            throw new IllegalArgumentException("encoder " + encoder.name() + " gives dimension " + encoder.dimension()
                    + " but " + LtmConfig.MEMORY_DIM + " is " + validator.dim());
        }
    }

    private static List<String> topics(LtmConfig config) {
        return List.of(config.getString(LtmConfig.TOPIC_EVENTS), config.getString(LtmConfig.TOPIC_QUERY_REQUESTS));
    }

    /** A record whose text waits for the batched model call, and what to make of its vectors. */
    private record Pending(
            ConsumerRecord<byte[], byte[]> record,
            MemoryQuery query,
            String text,
            BiFunction<ConsumerRecord<byte[], byte[]>, EncodedText, ProducerRecord<String, byte[]>> then) {}

    @Override
    protected List<ProducerRecord<String, byte[]>> process(ConsumerRecords<byte[], byte[]> batch) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            MemoryQuery query = null;
            try {
                Keys.decode(r.key()); // the node would reject a missing key or a NUL in it: reject it here
                if (r.value() == null || r.value().length == 0) {
                    throw new InvalidInputException("empty record");
                }
                if (r.topic().equals(queryRequestsTopic)) {
                    query = queries.deserializer().deserialize(r.topic(), r.value());
                    MemoryQuery q = query;
                    if (q.getVectors() != null) {
                        validator.queryVectors(q.getVectors());
                        out.add(queryRecord(q));
                    } else if (q.getText() != null && !q.getText().isBlank()) {
                        validator.queryText(q.getText(), encoder); // measured before the batched model call
                        pending.add(new Pending(
                                r,
                                q,
                                q.getText(),
                                (rec, t) -> queryRecord(MemoryQuery.newBuilder(q)
                                        .setVectors(WireVectors.query(t.vectors(), t.count(), encoder.dimension()))
                                        .build())));
                    } else {
                        throw new InvalidInputException("query has neither text nor vectors");
                    }
                    continue;
                }
                TokenEvent e = events.deserializer().deserialize(r.topic(), r.value());
                if (e.getVectors() != null) {
                    validator.vectors(e.getVectors(), "token event");
                    out.add(tokensRecord(
                            r,
                            e,
                            EncodedTokens.newBuilder()
                                    .setVectors(e.getVectors())
                                    .setTokens(e.getTokens())));
                } else if (e.getText() != null && !e.getText().isBlank()) {
                    validator.text(e.getText(), encoder, "token event text"); // measured before the model call
                    pending.add(new Pending(
                            r,
                            null,
                            e.getText(),
                            (rec, t) -> tokensRecord(
                                    rec,
                                    e,
                                    EncodedTokens.newBuilder()
                                            .setVectors(WireVectors.tokens(t.vectors(), t.count(), encoder.dimension()))
                                            .setTokens(t.tokens())
                                            .setText(e.getText()))));
                } else {
                    throw new InvalidInputException("token event has neither text nor vectors");
                }
            } catch (RuntimeException ex) {
                reject(out, r, query, ex);
            }
        }
        if (!pending.isEmpty()) {
            List<EncodedText> encoded =
                    encoder.encode(pending.stream().map(Pending::text).toList());
            for (int i = 0; i < encoded.size(); i++) {
                Pending p = pending.get(i);
                try {
                    out.add(p.then().apply(p.record(), encoded.get(i)));
                } catch (RuntimeException ex) {
                    reject(out, p.record(), p.query(), ex); // one unusable result must not stop the batch
                }
            }
        }
        return out;
    }

    /** Dead-letters a record and, when it is a query, answers it with the error. */
    private void reject(
            List<ProducerRecord<String, byte[]>> out,
            ConsumerRecord<byte[], byte[]> r,
            MemoryQuery query,
            RuntimeException ex) {
        if (Failures.isInfrastructure(ex)) {
            throw ex; // the whole batch is retried: the record may be fine
        }
        out.add(deadLetter(r, ex));
        if (query != null) {
            // the caller waits for an answer to this query id: tell it now instead of letting it time out
            out.add(response(Responses.error(
                    query.getQueryId(),
                    query.getKey(),
                    "query rejected: " + ex.getMessage(),
                    Responses.BY_ENCODER,
                    System.currentTimeMillis())));
        }
    }

    private ProducerRecord<String, byte[]> response(MemoryResponse r) {
        return new ProducerRecord<>(
                responsesTopic, r.getKey(), responses.serializer().serialize(responsesTopic, r));
    }

    private ProducerRecord<String, byte[]> queryRecord(MemoryQuery q) {
        return new ProducerRecord<>(
                queriesTopic, q.getKey(), queries.serializer().serialize(queriesTopic, q));
    }

    private ProducerRecord<String, byte[]> tokensRecord(
            ConsumerRecord<byte[], byte[]> r, TokenEvent e, EncodedTokens.Builder b) {
        long ts = e.getEventTime() != null ? e.getEventTime().toEpochMilli() : r.timestamp();
        b.setSource(SourcePosition.newBuilder()
                .setTopic(r.topic())
                .setPartition(r.partition())
                .setOffset(r.offset())
                .setTimestamp(Instant.ofEpochMilli(ts))
                .setSourceId(e.getSourceId())
                .build());
        String key = new String(r.key(), StandardCharsets.UTF_8);
        // no record timestamp: the producer stamps the time of writing, so retention counts from now; the event's
        // own time travels in the payload (source.timestamp) for spans and the timeline
        return new ProducerRecord<>(tokensTopic, key, tokens.serializer().serialize(tokensTopic, b.build()));
    }
}
