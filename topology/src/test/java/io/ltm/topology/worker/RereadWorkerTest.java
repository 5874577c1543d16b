package io.ltm.topology.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.ExactRerank;
import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.AttendedSpan;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.RereadEvent;
import io.ltm.schemas.RereadRequest;
import io.ltm.schemas.RereadStretch;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.TestFixtures;
import io.ltm.topology.codec.MemoryStateCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RereadWorkerTest {

    private static final String EVENTS = "ltm.events";
    private static final TopicPartition P0 = new TopicPartition(EVENTS, 0);

    /** Events 0..9 of partition 0: even offsets are key k's, odd ones another key's. */
    private static final List<String> TEXTS = List.of(
            "the printer on floor two is out of toner", "someone else's note about lunch",
            "the backup job failed with a disk full error", "another key: the disk is full of photos",
            "we moved the weekly meeting to thursday", "another key: thursday is a holiday",
            "the build server needs a new disk", "another key: printer paper ordered",
            "release notes were sent to the customers", "another key: the customers are happy");

    private final HashingEncoder encoder = new HashingEncoder(TestFixtures.DIM);
    private final WorkerHarness h = new WorkerHarness(TestFixtures.config("reread-" + UUID.randomUUID(), Map.of()));
    private final MockConsumer<String, byte[]> log = new MockConsumer<>("none");
    private final RereadWorker worker =
            new RereadWorker(h.config, encoder, new StretchReader(h.config, log), h.consumer, () -> h.producer);

    @AfterEach
    void close() {
        worker.close();
    }

    private void logStartsAt(long first) {
        log.updatePartitions(EVENTS, List.of(new PartitionInfo(EVENTS, 0, null, null, null)));
        log.updateBeginningOffsets(Map.of(P0, first));
        log.updateEndOffsets(Map.of(P0, (long) TEXTS.size()));
        // records arrive once the reader has assigned the partition (MockConsumer wants it assigned first)
        log.schedulePollTask(() -> {
            for (int i = (int) first; i < TEXTS.size(); i++) {
                byte[] v = LtmSerdes.avro(TokenEvent.class, h.config.serdeConfig())
                        .serializer()
                        .serialize(
                                EVENTS,
                                TokenEvent.newBuilder()
                                        .setText(TEXTS.get(i))
                                        .setSourceId("e" + i)
                                        .setEventTime(i == 2 ? Instant.parse("2024-05-01T10:00:00Z") : null)
                                        .build());
                log.addRecord(new ConsumerRecord<>(EVENTS, 0, i, i % 2 == 0 ? "k" : "other", v));
            }
        });
    }

    private static SourcePosition at(long offset) {
        return SourcePosition.newBuilder()
                .setTopic(EVENTS)
                .setPartition(0)
                .setOffset(offset)
                .setTimestamp(Instant.ofEpochMilli(0))
                .build();
    }

    private byte[] request(String question, long from, long to) {
        EncodedText q = encoder.encode(question);
        float[] pooled = ExactRerank.pool(q.vectors(), q.count(), TestFixtures.DIM);
        MemoryResponse answer = MemoryResponse.newBuilder()
                .setQueryId("q-1")
                .setKey("k")
                .setFound(true)
                .setSpans(List.of(AttendedSpan.newBuilder()
                        .setMu(0.5)
                        .setSigma(0.1)
                        .setScore(0.2)
                        .setTokenStart(10)
                        .setTokenEnd(40)
                        .setFrom(at(from))
                        .setTo(at(to))
                        .build()))
                .setAnsweredBy("memory-node")
                .build();
        RereadRequest r = RereadRequest.newBuilder()
                .setResponse(answer)
                .setQuery(MemoryStateCodec.block(pooled, 1, TestFixtures.DIM, CoefficientPrecision.FLOAT32))
                .setStretches(List.of(RereadStretch.newBuilder()
                        .setSpan(0)
                        .setTokenStart(10)
                        .setTokenEnd(40)
                        .setFrom(at(from))
                        .setTo(at(to))
                        .build()))
                .setEvents(2)
                .setQueryTokens(q.tokens()) // as the node sends them for a text query
                .build();
        return h.serialize(RereadRequest.class, "ltm.reread-requests", r);
    }

    private MemoryResponse answer(List<ProducerRecord<String, byte[]>> out) {
        List<MemoryResponse> r = h.values(out, "ltm.responses", MemoryResponse.class);
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    @Test
    void theBestEventsOfTheKeyInTheStretchAreNamedWithTheirRecords() {
        logStartsAt(0);
        h.add("ltm.reread-requests", "k".getBytes(StandardCharsets.UTF_8), request("the disk is full", 2, 6));
        MemoryResponse r = answer(worker.process(h.batch()));
        // offsets 2, 4, 6 are k's events in the stretch; 3 (another key, also about a full disk) and 0 (outside) are
        // not
        assertThat(r.getEvents()).extracting(e -> e.getSource().getOffset()).containsExactly(2L, 6L);
        RereadEvent best = r.getEvents().get(0);
        assertThat(best.getText()).isEqualTo(TEXTS.get(2));
        assertThat(best.getSource().getSourceId()).isEqualTo("e2");
        // the event's own time, as the memory's spans report it, not the time it was written to the topic
        assertThat(best.getSource().getTimestamp()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(best.getScore()).isGreaterThan(r.getEvents().get(1).getScore());
        assertThat(r.getReread())
                .isEqualTo("re-read 1 stretches: 3 events, "
                        + (encoder.encode(TEXTS.get(2)).count()
                                + encoder.encode(TEXTS.get(4)).count()
                                + encoder.encode(TEXTS.get(6)).count())
                        + " tokens");
        assertThat(r.getSpans()).hasSize(1);
    }

    @Test
    void aStretchThatRetentionRemovedInPartKeepsWhatIsLeftAndSaysWhatIsGone() {
        logStartsAt(4);
        h.add("ltm.reread-requests", "k".getBytes(StandardCharsets.UTF_8), request("the disk is full", 2, 6));
        MemoryResponse r = answer(worker.process(h.batch()));
        assertThat(r.getEvents()).extracting(e -> e.getSource().getOffset()).containsExactly(6L, 4L);
        assertThat(r.getReread()).contains("records ltm.events-0@2..3 are no longer in the log (retention)");
    }

    @Test
    void aStretchThatRetentionRemovedWhollyKeepsTheMemorysAnswer() {
        logStartsAt(8);
        h.add("ltm.reread-requests", "k".getBytes(StandardCharsets.UTF_8), request("the disk is full", 2, 6));
        MemoryResponse r = answer(worker.process(h.batch()));
        assertThat(r.getEvents()).isEmpty();
        assertThat(r.getSpans()).hasSize(1);
        assertThat(r.getReread())
                .contains("records ltm.events-0@2..6 are no longer in the log (retention)")
                .contains("the spans are the memory's answer there");
    }

    @Test
    void aStretchInALogThatDoesNotExistIsAnsweredAtOnceWithTheMemorysSpans() {
        log.updatePartitions(EVENTS, List.of());
        h.add("ltm.reread-requests", "k".getBytes(StandardCharsets.UTF_8), request("the disk is full", 2, 6));
        MemoryResponse r = answer(worker.process(h.batch()));
        assertThat(r.getEvents()).isEmpty();
        assertThat(r.getSpans()).hasSize(1);
        assertThat(r.getReread()).contains("the log ltm.events-0 does not exist");
    }

    @Test
    void spansWhoseStretchesOverlapReadAndNameEachRecordOnce() {
        RereadStretch a = RereadStretch.newBuilder()
                .setSpan(1)
                .setTokenStart(10)
                .setTokenEnd(40)
                .setFrom(at(2))
                .setTo(at(6))
                .build();
        RereadStretch b = RereadStretch.newBuilder()
                .setSpan(0)
                .setTokenStart(30)
                .setTokenEnd(60)
                .setFrom(at(4))
                .setTo(at(8))
                .build();
        RereadStretch other = RereadStretch.newBuilder()
                .setSpan(2)
                .setTokenStart(90)
                .setTokenEnd(99)
                .setFrom(at(9))
                .setTo(at(9))
                .build();
        List<RereadStretch> merged = RereadWorker.merged(List.of(b, other, a));
        assertThat(merged).hasSize(2);
        RereadStretch m = merged.get(0);
        assertThat(m.getSpan()).isZero();
        assertThat(m.getFrom().getOffset()).isEqualTo(2);
        assertThat(m.getTo().getOffset()).isEqualTo(8);
        assertThat(m.getTokenStart()).isEqualTo(10);
        assertThat(m.getTokenEnd()).isEqualTo(60);
        assertThat(merged.get(1)).isEqualTo(other);
    }

    @Test
    void anUnreadableRequestGoesToTheDeadLetterTopic() {
        h.add("ltm.reread-requests", "k".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 9, 1});
        List<ProducerRecord<String, byte[]>> out = worker.process(h.batch());
        assertThat(h.values(out, "ltm.responses", MemoryResponse.class)).isEmpty();
        assertThat(h.values(out, "ltm.dlq", DeadLetter.class)).hasSize(1);
    }
}
