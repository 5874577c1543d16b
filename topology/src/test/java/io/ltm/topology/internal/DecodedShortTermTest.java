package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.TokenSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodedShortTermTest {
    private static final int DIM = 4;

    private static DecodedShortTerm.Part part(String storeKey, int count) {
        return new DecodedShortTerm.Part(
                storeKey, new float[count * DIM], count, null, TokenSource.UNKNOWN, count * 8L);
    }

    @Test
    void aBufferGrowsOnlyByAppendsThatFollowItsIndex() {
        DecodedShortTerm kept = new DecodedShortTerm(1 << 20);
        ShortTermIndex begun = ShortTermIndex.begunAt(40);
        ShortTermIndex one = begun.append(3, new byte[] {1});
        ShortTermIndex two = one.append(2, new byte[] {2});
        kept.appended("k", begun, one, part("k0", 3));
        kept.appended("k", one, two, part("k1", 2));
        assertThat(kept.find("k", two))
                .extracting(DecodedShortTerm.Part::storeKey)
                .containsExactly("k0", "k1");
        assertThat(kept.find("k", one)).as("an index the buffer has passed").isNull();
        assertThat(kept.find("k", new ShortTermIndex(2, 5, 41, 0, two.digest())))
                .as("another memory's")
                .isNull();
        ShortTermIndex other = begun.append(3, new byte[] {1}).append(2, new byte[] {3});
        assertThat(other).isNotEqualTo(two);
        assertThat(kept.find("k", other)).as("records of another history").isNull();
        assertThat(kept.find("other", two)).isNull();

        // a transaction rolled back: the store's index is behind the buffer, and an append that follows it drops it
        ShortTermIndex redone = one.append(4, new byte[] {4});
        kept.appended("k", one, redone, part("k1", 4));
        assertThat(kept.find("k", redone)).isNull();
        assertThat(kept.find("k", two)).isNull();
        assertThat(kept.size()).isZero();

        // an empty buffer (after a contraction that left nothing) starts again from the append
        ShortTermIndex contracted = two.contracted(1, 0, null);
        ShortTermIndex after = contracted.append(6, new byte[] {5});
        kept.appended("k", contracted, after, part("k2", 6));
        assertThat(kept.find("k", after)).hasSize(1);
    }

    @Test
    void aBufferIsKeptOnlyForAKnownOriginAndDigestAndWithinTheBound() {
        DecodedShortTerm kept = new DecodedShortTerm(2L * (3 * DIM * Float.BYTES + 3 * 48));
        ShortTermIndex legacy = new ShortTermIndex(1, 3, ShortTermIndex.UNKNOWN, ShortTermIndex.UNKNOWN);
        kept.put("old", legacy, List.of(part("o0", 3)));
        assertThat(kept.find("old", legacy)).isNull();
        ShortTermIndex undigested = new ShortTermIndex(1, 3, 5, 0);
        kept.put("old", undigested, List.of(part("o0", 3)));
        assertThat(kept.find("old", undigested)).isNull();

        ShortTermIndex idx = ShortTermIndex.begunAt(1).append(3, new byte[] {1});
        kept.put("a", idx, List.of(part("a0", 3)));
        kept.put("b", idx, List.of(part("b0", 3)));
        assertThat(kept.find("a", idx)).isNotNull(); // a is now the most recently used
        kept.put("c", idx, List.of(part("c0", 3)));
        assertThat(kept.find("b", idx)).isNull();
        assertThat(kept.find("a", idx)).isNotNull();
        assertThat(kept.bytes()).isEqualTo(2L * (3 * DIM * Float.BYTES + 3 * 48));
        kept.invalidate("a");
        assertThat(kept.find("a", idx)).isNull();

        DecodedShortTerm none = new DecodedShortTerm(0);
        none.put("a", idx, List.of(part("a0", 3)));
        assertThat(none.find("a", idx)).isNull();
    }
}
