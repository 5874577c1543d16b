package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimelineSourcesTest {

    /** A bounded timeline of a long stream: merged segments, unknown ones, two topics. */
    private static Timeline longStream(Random rnd, int events) {
        Timeline tl = Timeline.empty();
        long token = 0;
        for (int e = 0; e < events; e++) {
            TokenSource src = e % 11 == 5
                    ? TokenSource.UNKNOWN
                    : new TokenSource(e % 7 == 0 ? "other" : "events", e % 7 == 0 ? 1 : 0, e, 1_000L * e, null);
            tl = tl.withSource(token, src, 64);
            token += 1 + rnd.nextInt(40);
        }
        return tl;
    }

    @Test
    void aBufferSourcesAtOnceEqualThemTokenByToken() {
        Random rnd = new Random(21);
        int mergedLast = 0;
        for (int round = 0; round < 200; round++) {
            Timeline tl = longStream(rnd, rnd.nextInt(120));
            long last = tl.segmentCount() == 0 ? 0 : tl.segmentFirstToken(tl.segmentCount() - 1);
            // at, before or after the last segment's first token: the buffer may replace the last segment
            long first = last + rnd.nextInt(3) - 1;
            if (first < 0) first = 0;
            List<TokenSource> sources = new ArrayList<>();
            int count = rnd.nextInt(60);
            Timeline cut = tl.truncateSources(first);
            // the buffer goes on with the record of the segment it follows (merged or not), or with another
            TokenSource src = cut.segmentCount() > 0 && rnd.nextBoolean()
                    ? cut.segmentSource(cut.segmentCount() - 1)
                    : new TokenSource("events", 0, 10_000 + round, 5L, "id");
            if (cut.segmentCount() > 0
                    && !cut.segmentLastSource(cut.segmentCount() - 1).equals(cut.segmentSource(cut.segmentCount() - 1)))
                mergedLast++;
            for (int i = 0; i < count; i++) {
                if (rnd.nextInt(8) == 0)
                    src = rnd.nextInt(4) == 0
                            ? TokenSource.UNKNOWN
                            : new TokenSource("events", 0, 20_000 + i, 6L + i, null);
                sources.add(src);
            }
            Timeline tokenByToken = tl.truncateSources(first);
            for (int i = 0; i < count; i++)
                tokenByToken = tokenByToken.withSource(first + i, sources.get(i), Integer.MAX_VALUE);
            assertThat(tl.withSources(first, sources)).as("round %d", round).isEqualTo(tokenByToken);
        }
        assertThat(mergedLast).as("buffers that follow a merged segment").isGreaterThan(10);
    }
}
