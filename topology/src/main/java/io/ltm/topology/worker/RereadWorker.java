package io.ltm.topology.worker;

import io.ltm.model.ExactRerank;
import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.RereadEvent;
import io.ltm.schemas.RereadRequest;
import io.ltm.schemas.RereadStretch;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.MemoryStateCodec;
import io.ltm.topology.internal.Failures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Worker role {@code reread}: the second stage of a two-stage read, exactly once. A {@link RereadRequest} (the
 * memory's answer to a query that asked for one, with the stretch of the events topic around each span) comes in;
 * the key's events of every stretch are read back from the log ({@link StretchReader}), encoded again with the
 * node's encoder (events sent with vectors keep theirs), ranked by {@link ExactRerank} against the query, and the
 * answer goes out on the responses topic with its best events and a note of what was re-read. Kafka keeps the log;
 * the memory only says where to look. Where the log's retention has removed a stretch the answer keeps its spans
 * (the memory's coarse answer) and says so.
 */
public final class RereadWorker extends TransactionalLoop {

    public static final String ROLE = "reread";

    private final TextEncoder encoder;
    private final StretchReader reader;
    private final Serde<RereadRequest> requests;
    private final Serde<MemoryResponse> responses;
    private final String responsesTopic;
    private final int dim;

    public RereadWorker(LtmConfig config, TextEncoder encoder, String instanceId) {
        this(
                config,
                encoder,
                new StretchReader(config),
                consumer(config, ROLE, instanceId),
                () -> producer(config, ROLE, instanceId));
    }

    /** With given clients (tests pass mock clients). */
    RereadWorker(
            LtmConfig config,
            TextEncoder encoder,
            StretchReader reader,
            Consumer<byte[], byte[]> consumer,
            Supplier<Producer<String, byte[]>> producers) {
        super(config, ROLE, List.of(config.getString(LtmConfig.TOPIC_REREAD_REQUESTS)), consumer, producers);
        this.encoder = encoder;
        this.reader = reader;
        this.requests = LtmSerdes.avro(RereadRequest.class, config.serdeConfig());
        this.responses = LtmSerdes.avro(MemoryResponse.class, config.serdeConfig());
        this.responsesTopic = config.getString(LtmConfig.TOPIC_RESPONSES);
        this.dim = config.getInt(LtmConfig.MEMORY_DIM);
    }

    @Override
    protected List<ProducerRecord<String, byte[]>> process(ConsumerRecords<byte[], byte[]> batch) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            RereadRequest req;
            try {
                req = requests.deserializer().deserialize(r.topic(), r.value());
            } catch (RuntimeException e) {
                if (Failures.isInfrastructure(e)) {
                    throw e;
                }
                out.add(deadLetter(r, e));
                continue;
            }
            MemoryResponse answer = req.getResponse();
            try {
                complete(req, answer);
            } catch (RuntimeException e) {
                if (Failures.isInfrastructure(e)) {
                    throw e; // the whole batch is retried
                }
                // the memory's answer is still worth having: it goes out with the reason the second stage failed
                out.add(deadLetter(r, e));
                answer.setReread("the re-read failed: " + e.getMessage());
            }
            answer.setAnsweredAt(java.time.Instant.now());
            out.add(new ProducerRecord<>(
                    responsesTopic, answer.getKey(), responses.serializer().serialize(responsesTopic, answer)));
        }
        return out;
    }

    private void complete(RereadRequest req, MemoryResponse answer) {
        float[] query = MemoryStateCodec.unblock(req.getQuery(), 1, dim);
        String key = answer.getKey();
        List<StretchReader.Event> read = new ArrayList<>();
        List<Integer> spans = new ArrayList<>();
        List<ExactRerank.Candidate> candidates = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long events = 0, tokens = 0;
        List<RereadStretch> stretches = merged(req.getStretches());
        for (RereadStretch s : stretches) {
            StretchReader.Stretch stretch = reader.read(key, s.getFrom(), s.getTo());
            if (stretch.missing() != null) {
                notes.add("span " + s.getSpan() + ": " + stretch.missing());
            }
            List<StretchReader.Event> withText = new ArrayList<>();
            for (StretchReader.Event e : stretch.events()) {
                TokenEvent t = e.event();
                if (t.getVectors() != null && t.getVectors().getDim() == dim) {
                    int n = t.getVectors().getCount();
                    List<String> texts = t.getTokens() != null && t.getTokens().size() == n ? t.getTokens() : null;
                    read.add(e);
                    spans.add(s.getSpan());
                    candidates.add(
                            new ExactRerank.Candidate(MemoryStateCodec.unblock(t.getVectors(), n, dim), n, texts));
                    tokens += n;
                } else if (t.getText() != null) {
                    withText.add(e);
                }
            }
            List<EncodedText> encoded = encoder.encode(
                    withText.stream().map(e -> e.event().getText()).toList());
            for (int i = 0; i < withText.size(); i++) {
                EncodedText x = encoded.get(i);
                if (x.count() > 0) {
                    read.add(withText.get(i));
                    spans.add(s.getSpan());
                    candidates.add(new ExactRerank.Candidate(x.vectors(), x.count(), x.tokens()));
                    tokens += x.count();
                }
            }
            events += stretch.events().size();
        }
        double[] scores = ExactRerank.scores(query, req.getQueryTokens(), candidates);
        List<RereadEvent> ranked = new ArrayList<>(read.size());
        for (int i = 0; i < read.size(); i++) {
            ranked.add(event(
                    spans.get(i), read.get(i), scores[i], candidates.get(i).count()));
        }
        ranked.sort(Comparator.comparingDouble(RereadEvent::getScore).reversed());
        answer.setEvents(new ArrayList<>(ranked.subList(0, Math.min(req.getEvents(), ranked.size()))));
        String summary = "re-read " + stretches.size() + " stretches: " + events + " events, " + tokens + " tokens";
        answer.setReread(
                notes.isEmpty()
                        ? summary
                        : summary + "; " + String.join("; ", notes) + " (the spans are the memory's answer there)");
    }

    /**
     * The stretches with those that overlap on one partition merged into one (named by the first span), so that the
     * spans of one answer that lie close together read, encode and name each record once.
     */
    static List<RereadStretch> merged(List<RereadStretch> stretches) {
        List<RereadStretch> sorted = new ArrayList<>(stretches);
        sorted.sort(Comparator.comparing((RereadStretch s) -> s.getFrom().getTopic())
                .thenComparingInt(s -> s.getFrom().getPartition())
                .thenComparingLong(s -> s.getFrom().getOffset()));
        List<RereadStretch> out = new ArrayList<>();
        for (RereadStretch s : sorted) {
            RereadStretch last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null
                    && last.getTo().getTopic().equals(s.getFrom().getTopic())
                    && last.getTo().getPartition() == s.getFrom().getPartition()
                    && s.getFrom().getOffset() <= last.getTo().getOffset()) {
                out.set(
                        out.size() - 1,
                        RereadStretch.newBuilder(last)
                                .setSpan(Math.min(last.getSpan(), s.getSpan()))
                                .setTokenStart(Math.min(last.getTokenStart(), s.getTokenStart()))
                                .setTokenEnd(Math.max(last.getTokenEnd(), s.getTokenEnd()))
                                .setTo(s.getTo().getOffset() > last.getTo().getOffset() ? s.getTo() : last.getTo())
                                .build());
            } else {
                out.add(s);
            }
        }
        return out;
    }

    private static RereadEvent event(int span, StretchReader.Event e, double score, int tokens) {
        return RereadEvent.newBuilder()
                .setSpan(span)
                .setScore(score)
                .setSource(e.source())
                .setTokens(tokens)
                .setText(e.event().getText())
                .build();
    }

    @Override
    public void close() {
        super.close();
        reader.close();
    }
}
