package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.Timeline;
import io.ltm.model.TokenSource;
import io.ltm.schemas.MemoryState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodedLongTermTest {

    private static MemoryState record(long contractions) {
        return MemoryState.newBuilder()
                .setBasisSize(4)
                .setDim(2)
                .setContractions(contractions)
                .build();
    }

    /** A timeline of {@code segments} source segments of ten tokens each. */
    private static Timeline timeline(int segments) {
        long[] first = new long[segments];
        List<TokenSource> sources = new ArrayList<>(segments);
        for (int i = 0; i < segments; i++) {
            first[i] = 10L * i;
            sources.add(new TokenSource("events", 0, i, 1_000L + i, null));
        }
        return Timeline.of(new double[] {0, 1}, new double[] {0, 10.0 * segments}, first, sources, null);
    }

    private static ShortTermIndex index(long longTerm) {
        return new ShortTermIndex(3, 2, 40, 1, 7, longTerm);
    }

    @Test
    void aRecordIsFoundOnlyUnderTheIdItsIndexNames() {
        DecodedLongTerm kept = new DecodedLongTerm(1 << 20);
        DecodedLongTerm.Kept one = new DecodedLongTerm.Kept(11, record(1), timeline(3));
        kept.put("k", one);
        assertThat(kept.find("k", index(11))).isSameAs(one);
        // a rolled-back contraction, or a restore from another history: the same counters, another id
        assertThat(kept.find("k", index(12))).as("another write of the record").isNull();
        assertThat(kept.find("k", index(ShortTermIndex.UNKNOWN)))
                .as("an index of an earlier release")
                .isNull();
        assertThat(kept.find("k", null)).as("no index").isNull();
        assertThat(kept.find("other", index(11))).isNull();

        DecodedLongTerm.Kept two = new DecodedLongTerm.Kept(12, record(2), timeline(4));
        kept.put("k", two);
        assertThat(kept.find("k", index(11))).isNull();
        assertThat(kept.find("k", index(12))).isSameAs(two);
        kept.invalidate("k");
        assertThat(kept.find("k", index(12))).isNull();
        assertThat(kept.size()).isZero();
    }

    @Test
    void aRecordOfAnUnknownIdIsNotKept() {
        DecodedLongTerm kept = new DecodedLongTerm(1 << 20);
        kept.put("k", new DecodedLongTerm.Kept(11, record(1), timeline(3)));
        kept.put("k", new DecodedLongTerm.Kept(ShortTermIndex.UNKNOWN, record(2), timeline(3)));
        assertThat(kept.size())
                .as("the unknown record replaces the known one, and is not kept")
                .isZero();
    }

    @Test
    void aRecordUsedMoreOftenStaysAndLongTimelinesCountForTheirSegments() {
        DecodedLongTerm.Kept small = new DecodedLongTerm.Kept(1, record(1), timeline(1));
        DecodedLongTerm.Kept large = new DecodedLongTerm.Kept(2, record(1), timeline(1024));
        assertThat(large.bytes()).isGreaterThan(100 * small.bytes());
        MemoryState packed = MemoryState.newBuilder(record(1))
                .setPackedSources(java.nio.ByteBuffer.wrap(new byte[1024 * 11]))
                .build();
        DecodedLongTerm.Kept largePacked = new DecodedLongTerm.Kept(3, packed, timeline(1024));
        assertThat(largePacked.bytes())
                .as("a packed record's segments hold a third of the heap of Avro records")
                .isLessThan(large.bytes() / 2);

        DecodedLongTerm kept = new DecodedLongTerm(2 * small.bytes());
        kept.put("a", small);
        kept.put("b", small);
        assertThat(kept.find("a", index(1))).isNotNull(); // a is now used more often than b and c
        kept.put("c", small);
        assertThat(kept.find("a", index(1))).isNotNull();
        assertThat(kept.size()).isEqualTo(2);
        kept.put("d", large);
        assertThat(kept.find("d", index(2))).as("larger than the bound").isNull();

        DecodedLongTerm none = new DecodedLongTerm(0);
        none.put("a", small);
        assertThat(none.find("a", index(1))).isNull();
    }
}
