package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The second stage's stretch: the budget centred on a span's mode, inside the long-term tokens, true sources. */
class RereadWindowTest {

    /** Ten events of 32 tokens, event i at offset 100 + i: the memory holds tokens 0..319 in its long-term part. */
    private static MemoryState memory(LongTermMemory ltm, MemoryConfig cfg) {
        Random rng = new Random(3);
        MemoryState s = MemoryState.empty(cfg);
        for (int i = 0; i < 10; i++) {
            s = ltm.absorb(
                    s,
                    new TokenBatch(
                            MathPropertiesTest.randn(32 * 8, rng),
                            32,
                            null,
                            new TokenSource("ltm.events", 2, 100 + i, 1_000L * i, "e" + i)));
        }
        return s;
    }

    private static Span spanAt(MemoryState s, long token) {
        double mu = s.timeline().positionOf(token);
        return new Span(mu, 0.01, 0.5, 1.0, token - 5, token + 5, null, null);
    }

    @Test
    void theWindowIsTheBudgetCentredOnTheModeWithTheSourcesOfItsFirstAndLastToken() {
        MemoryConfig cfg = MemoryConfig.builder()
                .dim(8)
                .basisSize(64)
                .contractionLength(32)
                .samples(32)
                .build();
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = memory(ltm, cfg);
            assertThat(s.longTermTokens()).isEqualTo(320);
            RereadWindow w = RereadWindow.of(spanAt(s, 150), s, 64);
            assertThat(w.tokens()).isEqualTo(64);
            assertThat((w.tokenStart() + w.tokenEnd()) / 2.0).isCloseTo(150, org.assertj.core.data.Offset.offset(1.0));
            assertThat(w.from().offset()).isEqualTo(100 + w.tokenStart() / 32);
            assertThat(w.to().offset()).isEqualTo(100 + (w.tokenEnd() - 1) / 32);
            assertThat(w.from().partition()).isEqualTo(2);
        }
    }

    @Test
    void nearTheEndsTheWindowShiftsInsideTheLongTermTokensAndNeverExceedsThem() {
        MemoryConfig cfg = MemoryConfig.builder()
                .dim(8)
                .basisSize(64)
                .contractionLength(32)
                .samples(32)
                .build();
        try (LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = memory(ltm, cfg);
            RereadWindow first = RereadWindow.of(spanAt(s, 3), s, 64);
            assertThat(first.tokenStart()).isZero();
            assertThat(first.tokens()).isEqualTo(64);
            assertThat(first.from().offset()).isEqualTo(100);
            RereadWindow last = RereadWindow.of(spanAt(s, 318), s, 64);
            assertThat(last.tokenEnd()).isEqualTo(320);
            assertThat(last.to().offset()).isEqualTo(109);
            RereadWindow all = RereadWindow.of(spanAt(s, 150), s, 10_000);
            assertThat(all.tokenStart()).isZero();
            assertThat(all.tokenEnd()).isEqualTo(320);
            assertThat(RereadWindow.of(spanAt(s, 150), s, 0)).isNull();
            assertThat(RereadWindow.of(spanAt(s, 150), MemoryState.empty(cfg), 64))
                    .isNull();
        }
    }

    @Test
    void theExactScoreIsTheCosineOfThePooledVectors() {
        float[] q = {1, 0, 0};
        float[] event = {1, 1, 0, 1, -1, 0}; // two tokens whose mean is (1, 0, 0)
        assertThat(ExactRerank.pool(event, 2, 3)).containsExactly(1f, 0f, 0f);
        assertThat(ExactRerank.score(q, event, 2)).isEqualTo(1.0);
        assertThat(ExactRerank.score(new float[] {0, 1, 0}, event, 2)).isEqualTo(0.0);
        assertThat(ExactRerank.score(q, new float[] {-2, 0, 0}, 1)).isEqualTo(-1.0);
        assertThat(ExactRerank.score(q, new float[] {0, 0, 0}, 1)).isEqualTo(0.0);
    }

    @Test
    void withTheQuerysTextsTheEventThatNamesTheRareTermsOutranksOneWhosePooledVectorIsCloser() {
        float[] q = {1, 0, 0};
        List<String> question = List.of("Which", "change", "fixed", "CVE", "-", "2024", "-", "1075", "?");
        List<ExactRerank.Candidate> events = new ArrayList<>();
        events.add(new ExactRerank.Candidate(new float[] {1, 0.1f, 0}, 1, List.of("which", "change", "fixed", "it")));
        events.add(new ExactRerank.Candidate(
                new float[] {1, 0.5f, 0}, 1, List.of("upload", "fixes", "cve", "-", "2024", "-", "1075")));
        for (int i = 0; i < 6; i++) // the question's common words are everywhere in the stretch
        events.add(new ExactRerank.Candidate(new float[] {0, 1, 0}, 1, List.of("which", "change", "was", "fixed")));
        double[] plain = ExactRerank.scores(q, null, events);
        assertThat(plain[0]).isGreaterThan(plain[1]); // by the cosine alone the look-alike wins
        assertThat(plain[1]).isEqualTo(ExactRerank.score(q, events.get(1).vectors(), 1));
        double[] hybrid = ExactRerank.scores(q, question, events);
        assertThat(hybrid[1]).isGreaterThan(hybrid[0]).isGreaterThan(hybrid[2]);
        assertThat(hybrid[1]).isBetween(0.0, 1.0);
    }
}
