package io.ltm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TermFilterTest {

    @Test
    void aTermIsFoundInItsSegmentAfterEveryMergeUpToFiveMillionTokens() {
        TermFilter.Builder b = TermFilter.empty(64, 1024, 3, 1).toBuilder();
        SplittableRandom rng = new SplittableRandom(7);
        long total = 5_000_000;
        long[] planted = {0, 4_095, 777_777, 2_500_001, 4_999_999};
        int next = 0;
        for (long i = 0; i < total; i++) {
            if (next < planted.length && planted[next] == i) b.add(i, "needle" + next++);
            else b.add(i, "w" + rng.nextInt(300));
        }
        TermFilter f = b.build();
        // 300 distinct words in 1,024 bits with 3 hashes: (1 - e^(-900/1024))^3 of a segment's bits
        assertThat(f.falsePositiveRate()).isCloseTo(Math.pow(1 - Math.exp(-900.0 / 1024), 3), within(0.03));
        assertThat(TermFilter.empty(64, 1024, 3, 1).falsePositiveRate()).isZero();
        // the smallest power of two c with 64·c >= 5M is 131,072
        assertThat(f.segmentTokens()).isEqualTo(131_072);
        assertThat(f.used()).isEqualTo((int) ((total - 1) / 131_072) + 1);
        assertThat(f.bytes()).isEqualTo(64 * 1024 / 8);
        for (int k = 0; k < planted.length; k++) {
            int seg = (int) (planted[k] / f.segmentTokens());
            assertThat(f.mayContain(seg, "NEEDLE" + k)).as("needle %d", k).isTrue();
            assertThat(f.segmentStart(seg)).isLessThanOrEqualTo(planted[k]);
            assertThat(f.segmentStart(seg) + f.segmentTokens()).isGreaterThan(planted[k]);
        }
    }

    @Test
    void theSegmentHoldingTheRareTermsMatchesBestAndUnseenTermsMatchNothing() {
        TermFilter.Builder b = TermFilter.empty(16, 4096, 4, 1).toBuilder();
        SplittableRandom rng = new SplittableRandom(3);
        for (long i = 0; i < 16_000; i++) {
            String w = i >= 9_000 && i < 9_003
                    ? List.of("lighthouse", "parrot", "biscuit").get((int) (i - 9_000))
                    : "w" + rng.nextInt(200);
            b.add(i, w);
        }
        TermFilter f = b.build();
        double[] m = f.match(List.of("What", "did", "the", "lighthouse", "keeper", "call", "his", "parrot", "?"))
                .segments();
        int best = 0;
        for (int s = 1; s < m.length; s++) if (m[s] > m[best]) best = s;
        assertThat(f.segmentStart(best)).isLessThanOrEqualTo(9_000);
        assertThat(f.segmentStart(best) + f.segmentTokens()).isGreaterThan(9_002);
        // two of the eight distinct terms were seen, both only there: most of the query is unseen
        assertThat(m[best]).isGreaterThan(0.2).isLessThan(0.5);
        for (int s = 0; s < m.length; s++) if (s != best) assertThat(m[s]).isLessThan(m[best] / 2);
        assertThat(f.match(List.of("penguins", "vaccine")).segments()).containsOnly(0.0);
        assertThat(f.match(List.of("?", "!")).segments()).isEmpty();
        // a query made only of the needle's terms finds all of it there
        assertThat(f.match(List.of("Lighthouse", "parrot")).segments()[best]).isEqualTo(1.0);
    }

    @Test
    void anEventSplitByASegmentBoundaryMatchesWholeAtThatBoundary() {
        TermFilter.Builder b = TermFilter.empty(8, 1024, 4, 1).toBuilder();
        List<String> event = List.of("fixes", "cve", "2024", "1075");
        for (long i = 0; i < 64; i++) b.add(i, i >= 30 && i < 34 ? event.get((int) (i - 30)) : "w" + i % 5);
        TermFilter f = b.build();
        assertThat(f.segmentTokens()).isEqualTo(8); // 64 tokens in 8 segments: the event spans tokens 30..33
        TermFilter.Match m = f.match(List.of("cve", "2024", "1075"));
        // segment 3 (tokens 24..31) holds "fixes cve", segment 4 (32..39) "2024 1075"; their boundary holds all three
        assertThat(m.boundaries()[3]).isEqualTo(1.0);
        assertThat(m.segments()[3]).isLessThan(1.0);
        assertThat(m.segments()[4]).isLessThan(1.0);
        for (int i = 0; i < m.boundaries().length; i++)
            if (i != 3) assertThat(m.boundaries()[i]).isLessThan(1.0);
    }

    @Test
    void termsAreLowerCasedAndPiecesWithoutLettersOrDigitsOrMarkersAreSkipped() {
        assertThat(TermFilter.normalise("Parrot")).isEqualTo("parrot");
        assertThat(TermFilter.normalise("##ing")).isEqualTo("##ing");
        assertThat(TermFilter.normalise("42")).isEqualTo("42");
        assertThat(TermFilter.normalise(":")).isNull();
        assertThat(TermFilter.normalise("[CLS]")).isNull();
        assertThat(TermFilter.normalise(null)).isNull();
        assertThat(TermFilter.terms(List.of("The", "the", ",", "Key"))).containsExactly("the", "key");
    }

    @Test
    void aFilterRebuiltFromItsPartsEqualsTheOriginalAndBadGeometryIsRejected() {
        TermFilter.Builder b = TermFilter.empty(8, 128, 2, 1).toBuilder();
        for (long i = 0; i < 100; i++) b.add(i, "t" + i % 13);
        TermFilter f = b.build();
        TermFilter g = TermFilter.of(f.segments(), f.segmentBits(), f.hashes(), f.segmentTokens(), f.used(), f.bits());
        assertThat(g).isEqualTo(f).hasSameHashCodeAs(f);
        assertThatThrownBy(() -> TermFilter.empty(7, 128, 2, 1)).hasMessageContaining("even");
        assertThatThrownBy(() -> TermFilter.empty(8, 100, 2, 1)).hasMessageContaining("multiple of 64");
        assertThatThrownBy(() -> TermFilter.of(8, 128, 2, 16, 2, new long[3])).hasMessageContaining("words");
    }
}
