package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.TokenSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodedShortTermTest {
    private static final int DIM = 4;
    private static final int MAX_FLOATS = 64 * DIM;

    private static DecodedShortTerm.Part part(String storeKey, int count) {
        return new DecodedShortTerm.Part(storeKey, count, TokenSource.UNKNOWN, count * 8L);
    }

    private static float[] vectors(int count, float value) {
        float[] v = new float[count * DIM];
        java.util.Arrays.fill(v, value);
        return v;
    }

    private static void append(DecodedShortTerm kept, ShortTermIndex before, ShortTermIndex after, String k, int n) {
        kept.appended("k", before, after, part(k, n), vectors(n, n), null, MAX_FLOATS);
    }

    @Test
    void aBufferGrowsOnlyByAppendsThatFollowItsIndexAndNeverChangesWhatAStateRead() {
        DecodedShortTerm kept = new DecodedShortTerm(1 << 20);
        ShortTermIndex begun = ShortTermIndex.begunAt(40);
        ShortTermIndex one = begun.append(3, new byte[] {1});
        ShortTermIndex two = one.append(2, new byte[] {2});
        append(kept, begun, one, "k0", 3);
        DecodedShortTerm.Buffer first = kept.find("k", one);
        float[] read = java.util.Arrays.copyOf(first.vectors(), first.count() * DIM);
        append(kept, one, two, "k1", 2);
        DecodedShortTerm.Buffer b = kept.find("k", two);
        assertThat(b.parts()).extracting(DecodedShortTerm.Part::storeKey).containsExactly("k0", "k1");
        assertThat(b.count()).isEqualTo(5);
        assertThat(java.util.Arrays.copyOf(b.vectors(), 5 * DIM))
                .containsExactly(3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2);
        assertThat(java.util.Arrays.copyOf(first.vectors(), 3 * DIM))
                .as("the first three tokens as a state read them")
                .containsExactly(read);
        assertThat(b.tokenList()).isNull();
        assertThat(b.sources()).hasSize(5);
        assertThat(kept.find("k", one)).as("an index the buffer has passed").isNull();
        assertThat(kept.find("k", new ShortTermIndex(2, 5, 41, 0, two.digest(), ShortTermIndex.UNKNOWN)))
                .as("another memory's")
                .isNull();
        ShortTermIndex other = begun.append(3, new byte[] {1}).append(2, new byte[] {3});
        assertThat(other).isNotEqualTo(two);
        assertThat(kept.find("k", other)).as("records of another history").isNull();
        assertThat(kept.find("other", two)).isNull();

        // a transaction rolled back: the store's index is behind the buffer, and an append that follows it drops it
        ShortTermIndex redone = one.append(4, new byte[] {4});
        append(kept, one, redone, "k1", 4);
        assertThat(kept.find("k", redone)).isNull();
        assertThat(kept.find("k", two)).isNull();
        assertThat(kept.size()).isZero();

        // an empty buffer (after a contraction that left nothing) starts again from the append
        ShortTermIndex contracted = two.contracted(1, 0, null, 17);
        ShortTermIndex after = contracted.append(6, new byte[] {5});
        append(kept, contracted, after, "k2", 6);
        assertThat(kept.find("k", after).parts()).hasSize(1);
    }

    @Test
    void aBufferIsKeptOnlyForAKnownOriginAndDigestAndWithinTheBound() {
        long bytes = 3 * DIM * Float.BYTES + 3 * 48;
        DecodedShortTerm kept = new DecodedShortTerm(2 * bytes);
        ShortTermIndex legacy = new ShortTermIndex(1, 3, ShortTermIndex.UNKNOWN, ShortTermIndex.UNKNOWN);
        kept.put("old", buffer(legacy));
        assertThat(kept.find("old", legacy)).isNull();
        ShortTermIndex undigested = new ShortTermIndex(1, 3, 5, 0);
        kept.put("old", buffer(undigested));
        assertThat(kept.find("old", undigested)).isNull();

        ShortTermIndex idx = ShortTermIndex.begunAt(1).append(3, new byte[] {1});
        kept.put("a", buffer(idx));
        kept.put("b", buffer(idx));
        assertThat(kept.find("a", idx)).isNotNull(); // a is now used more often than b and c
        kept.put("c", buffer(idx));
        assertThat(kept.find("a", idx)).isNotNull();
        assertThat(kept.size()).isEqualTo(2);
        assertThat(kept.bytes()).isEqualTo(2 * bytes);
        kept.invalidate("a");
        assertThat(kept.find("a", idx)).isNull();

        DecodedShortTerm none = new DecodedShortTerm(0);
        none.put("a", buffer(idx));
        assertThat(none.find("a", idx)).isNull();
    }

    private static DecodedShortTerm.Buffer buffer(ShortTermIndex idx) {
        return new DecodedShortTerm.Buffer(idx, vectors(3, 1), new String[3], 3, List.of(part("x", 3)));
    }
}
