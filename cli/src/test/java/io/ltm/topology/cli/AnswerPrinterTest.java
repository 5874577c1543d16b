package io.ltm.topology.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.schemas.AttendedSpan;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.RereadEvent;
import io.ltm.schemas.ShortTermHit;
import io.ltm.schemas.SourcePosition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerPrinterTest {

    private static SourcePosition at(long offset, String time) {
        return SourcePosition.newBuilder()
                .setTopic("ltm.events")
                .setPartition(0)
                .setOffset(offset)
                .setTimestamp(Instant.parse(time))
                .build();
    }

    private static ShortTermHit hit(long index, String token, SourcePosition source, double weight) {
        return ShortTermHit.newBuilder()
                .setTokenIndex(index)
                .setScore(0)
                .setWeight(weight)
                .setToken(token)
                .setSource(source)
                .build();
    }

    private static MemoryResponse response(List<AttendedSpan> spans, List<ShortTermHit> hits) {
        return MemoryResponse.newBuilder()
                .setQueryId("q")
                .setKey("k")
                .setFound(true)
                .setSpans(spans)
                .setShortTermHits(hits)
                .setAnsweredAt(Instant.EPOCH)
                .build();
    }

    /** Texts of offsets 0..9, as the events topic would give them back. */
    private static final AnswerPrinter.Texts TEXTS = new AnswerPrinter.Texts() {
        @Override
        public List<String> between(String key, SourcePosition from, SourcePosition to) {
            return List.of("event " + from.getOffset(), "event " + to.getOffset());
        }

        @Override
        public String at(String key, SourcePosition position) {
            return position.getOffset() == 9 ? null : "the whole event " + position.getOffset();
        }
    };

    @Test
    void spansPrintTheirEventTimesAndOriginalLines() {
        AttendedSpan s = AttendedSpan.newBuilder()
                .setMu(0.5)
                .setSigma(0.1)
                .setScore(0.6)
                .setTokenStart(3)
                .setTokenEnd(9)
                .setFrom(at(2, "2024-05-01T10:22:33Z"))
                .setTo(at(4, "2024-05-01T10:23:01Z"))
                .build();
        String out = AnswerPrinter.format(response(List.of(s), List.of()), TEXTS);
        assertThat(out)
                .contains("offsets ltm.events/0@2..4, 2024-05-01T10:22:33Z .. 2024-05-01T10:23:01Z")
                .contains("      | event 2\n      | event 4\n");
    }

    @Test
    void shortTermHitsAreShownAsEventsNotWordPieces() {
        SourcePosition e1 = at(1, "2024-05-01T10:00:00Z");
        SourcePosition e9 = at(9, "2024-05-01T11:00:00Z");
        String out = AnswerPrinter.format(
                response(
                        List.of(),
                        List.of(
                                hit(5, "open", e1, 0.3),
                                hit(7, "ssh", e1, 0.2),
                                hit(20, "cow", e9, 0.1),
                                hit(21, "##say", e9, 0.1))),
                TEXTS);
        assertThat(out)
                .contains("(0.50) 2024-05-01T10:00:00Z | the whole event 1")
                .contains("(0.20) 2024-05-01T11:00:00Z | cowsay")
                .doesNotContain("##");
    }

    @Test
    void eventsOfATwoStageReadArePrintedWithTheirRecordsScoresAndTheNote() {
        MemoryResponse r = response(List.of(), List.of());
        r.setEvents(List.of(
                RereadEvent.newBuilder()
                        .setSpan(0)
                        .setScore(0.8123)
                        .setSource(at(7, "2024-05-01T10:30:00Z"))
                        .setTokens(9)
                        .setText("  disk full on /var  ")
                        .build(),
                RereadEvent.newBuilder()
                        .setSpan(1)
                        .setScore(0.4)
                        .setSource(at(8, "2024-05-01T10:31:00Z"))
                        .setTokens(4)
                        .build()));
        r.setReread("re-read 2 stretches: 40 events, 600 tokens");
        String out = AnswerPrinter.format(r, TEXTS);
        assertThat(out)
                .contains(
                        "best events, re-read from the log and ranked exactly (re-read 2 stretches: 40 events, 600 tokens):")
                .contains("(0.812) span 1, ltm.events/0@7, 2024-05-01T10:30:00Z | disk full on /var\n")
                .contains("(0.400) span 2, ltm.events/0@8, 2024-05-01T10:31:00Z | (4 tokens sent as vectors)");
    }

    @Test
    void wordPiecesJoinIntoWords() {
        assertThat(AnswerPrinter.words(List.of("open", "##ss", "##h", "server", "fail", "##ed")))
                .isEqualTo("openssh server failed");
    }
}
