package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.encoder.EncodedText;
import io.ltm.model.encoder.HashingEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TermGuideTest {
    private static final int D = 64;

    /** 40,000 tokens of events made of 20 common words, with one event naming a rare word at token 12,800. */
    private static MemoryState stream(LongTermMemory ltm, MemoryConfig cfg, HashingEncoder enc, String needle) {
        SplittableRandom rnd = new SplittableRandom(9);
        MemoryState s = MemoryState.empty(cfg);
        long pos = 0;
        while (pos < 40_000) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 16; w++) text.append(" common").append(rnd.nextInt(20));
            if (pos == 12_800) text.append(' ').append(needle);
            EncodedText e = enc.encode(text.toString());
            s = ltm.absorb(s, new TokenBatch(e.vectors(), e.count(), e.tokens(), null));
            pos += e.count();
        }
        return s;
    }

    @Test
    void aRareWordIsFoundWhereItWasAndAQueryOfWordsThatAreEverywhereLeansOnTheMemory() {
        MemoryConfig cfg = MemoryConfig.builder()
                .dim(D)
                .basisSize(64)
                .contractionLength(64)
                .samples(64)
                .build();
        try (HashingEncoder enc = new HashingEncoder(D);
                LongTermMemory ltm = LongTermMemory.create(cfg)) {
            MemoryState s = stream(ltm, cfg, enc, "zeppelin");
            EncodedText q = enc.encode("where was the zeppelin");
            ReadResult r = ltm.read(new ReadRequest(
                    null, s, q.vectors(), q.count(), new ReadOptions(1, false, false, null), q.tokens()));
            Span top = r.spans().get(0);
            assertThat(top.tokenStart()).isLessThanOrEqualTo(12_816);
            assertThat(top.tokenEnd()).isGreaterThanOrEqualTo(12_816);
            assertThat(top.tokenEnd() - top.tokenStart()).isLessThan(400); // 1% of the stream
            assertThat(top.termMatch()).isGreaterThan(0.2);

            // words present in every segment: no segment stands out, so the continuous attention answers, at the
            // place a read of the same vector without texts names
            List<String> everywhere = new ArrayList<>();
            for (int w = 0; w < 5; w++) everywhere.add("common" + w);
            EncodedText c = enc.encode(String.join(" ", everywhere));
            ReadResult withTexts = ltm.read(new ReadRequest(
                    null, s, c.vectors(), c.count(), new ReadOptions(1, false, false, null), c.tokens()));
            ReadResult without =
                    ltm.read(new ReadRequest(null, s, c.vectors(), c.count(), new ReadOptions(1, false, false, null)));
            Span a = withTexts.spans().get(0), b = without.spans().get(0);
            assertThat(a.termMatch()).isGreaterThan(0.9);
            assertThat(b.termMatch()).isEqualTo(-1);
            assertThat(a.tokenStart()).isEqualTo(b.tokenStart());
            assertThat(a.tokenEnd()).isEqualTo(b.tokenEnd());
            assertThat(a.score()).isEqualTo(b.score());
        }
    }
}
