package io.ltm.topology.worker;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.MemoryStateCodec;
import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.internal.InputValidator;

/**
 * Worker role {@code encode}: TokenEvents in, EncodedTokens out, and text queries in, queries with vectors out,
 * exactly once. The texts of a whole poll (events and queries together) are encoded in one batched model call;
 * events that already carry vectors pass through after validation. The source (topic, partition, offset,
 * timestamp) of each event travels with its vectors into the memory's timeline. Bad records go to the
 * dead-letter topic.
 */
public final class EncodeWorker extends TransactionalLoop {

    public static final String ROLE = "encode";

    private final TextEncoder encoder;
    private final InputValidator validator;
    private final Serde<TokenEvent> events;
    private final Serde<EncodedTokens> tokens;
    private final Serde<MemoryQuery> queries;
    private final String queryRequestsTopic;
    private final String queriesTopic;
    private final String tokensTopic;

    public EncodeWorker(LtmConfig config, TextEncoder encoder, String instanceId) {
        super(config, ROLE, instanceId, List.of(config.getString(LtmConfig.TOPIC_EVENTS),
                config.getString(LtmConfig.TOPIC_QUERY_REQUESTS)));
        this.encoder = encoder;
        this.validator = new InputValidator(config.getInt(LtmConfig.MEMORY_DIM),
                config.getInt(LtmConfig.INGEST_MAX_TOKENS));
        this.events = LtmSerdes.avro(TokenEvent.class, config.serdeConfig());
        this.tokens = LtmSerdes.avro(EncodedTokens.class, config.serdeConfig());
        this.queries = LtmSerdes.avro(MemoryQuery.class, config.serdeConfig());
        this.queryRequestsTopic = config.getString(LtmConfig.TOPIC_QUERY_REQUESTS);
        this.queriesTopic = config.getString(LtmConfig.TOPIC_QUERIES);
        this.tokensTopic = config.getString(LtmConfig.TOPIC_TOKENS);
        if (encoder.dimension() != validator.dim()) {
            throw new IllegalArgumentException("encoder " + encoder.name() + " gives dimension " + encoder.dimension()
                    + " but " + LtmConfig.MEMORY_DIM + " is " + validator.dim());
        }
    }

    /** A record whose text waits for the batched model call, and what to make of its vectors. */
    private record Pending(ConsumerRecord<byte[], byte[]> record, String text,
                           BiFunction<ConsumerRecord<byte[], byte[]>, EncodedText, ProducerRecord<String, byte[]>> then) {
    }

    @Override
    protected List<ProducerRecord<String, byte[]>> process(ConsumerRecords<byte[], byte[]> batch) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            try {
                if (r.key() == null || r.key().length == 0) {
                    throw new IllegalArgumentException("record has no key (the memory key is required)");
                }
                if (r.value() == null || r.value().length == 0) {
                    throw new IllegalArgumentException("empty record");
                }
                if (r.topic().equals(queryRequestsTopic)) {
                    MemoryQuery q = queries.deserializer().deserialize(r.topic(), r.value());
                    if (q.getVectors() != null) {
                        out.add(queryRecord(q));
                    } else if (q.getText() != null && !q.getText().isBlank()) {
                        pending.add(new Pending(r, q.getText(), (rec, t) -> queryRecord(MemoryQuery.newBuilder(q)
                                .setVectors(MemoryStateCodec.block(t.vectors(), t.count(), encoder.dimension(),
                                        CoefficientPrecision.FLOAT32)).build())));
                    } else {
                        throw new IllegalArgumentException("query has neither text nor vectors");
                    }
                    continue;
                }
                TokenEvent e = events.deserializer().deserialize(r.topic(), r.value());
                if (e.getVectors() != null) {
                    validator.vectors(e.getVectors(), "token event");
                    out.add(tokensRecord(r, e, EncodedTokens.newBuilder().setVectors(e.getVectors())
                            .setTokens(e.getTokens())));
                } else if (e.getText() != null && !e.getText().isBlank()) {
                    pending.add(new Pending(r, e.getText(), (rec, t) -> tokensRecord(rec, e, EncodedTokens.newBuilder()
                            .setVectors(MemoryStateCodec.block(t.vectors(), t.count(), encoder.dimension(),
                                    CoefficientPrecision.FLOAT16))
                            .setTokens(t.tokens()).setText(e.getText()))));
                } else {
                    throw new IllegalArgumentException("token event has neither text nor vectors");
                }
            } catch (RuntimeException ex) {
                out.add(deadLetter(r, ex));
            }
        }
        if (!pending.isEmpty()) {
            List<EncodedText> encoded = encoder.encode(pending.stream().map(Pending::text).toList());
            for (int i = 0; i < encoded.size(); i++) {
                EncodedText t = encoded.get(i);
                Pending p = pending.get(i);
                if (t.count() == 0) {
                    out.add(deadLetter(p.record(), new IllegalArgumentException("text has no tokens")));
                } else if (t.count() > validator.maxTokens()) {
                    out.add(deadLetter(p.record(), new IllegalArgumentException("text has " + t.count()
                            + " tokens, more than the limit of " + validator.maxTokens() + " per event")));
                } else {
                    out.add(p.then().apply(p.record(), t));
                }
            }
        }
        return out;
    }

    private ProducerRecord<String, byte[]> queryRecord(MemoryQuery q) {
        return new ProducerRecord<>(queriesTopic, q.getKey(), queries.serializer().serialize(queriesTopic, q));
    }

    private ProducerRecord<String, byte[]> tokensRecord(ConsumerRecord<byte[], byte[]> r, TokenEvent e,
                                                        EncodedTokens.Builder b) {
        long ts = e.getEventTime() != null ? e.getEventTime().toEpochMilli() : r.timestamp();
        b.setSource(SourcePosition.newBuilder().setTopic(r.topic()).setPartition(r.partition()).setOffset(r.offset())
                .setTimestamp(Instant.ofEpochMilli(ts)).setSourceId(e.getSourceId()).build());
        String key = new String(r.key(), StandardCharsets.UTF_8);
        // no record timestamp: the producer stamps the time of writing, so retention counts from now; the event's
        // own time travels in the payload (source.timestamp) for spans and the timeline
        return new ProducerRecord<>(tokensTopic, key, tokens.serializer().serialize(tokensTopic, b.build()));
    }

}
