package io.ltm.topology.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.model.TokenSource;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedSourcesTest {

    /** Segments of every kind: unknown sources, merged ones, ids and none, offsets and times far apart and backwards. */
    private static PackedSources.Segments segments(int n, long seed) {
        Random rnd = new Random(seed);
        long[] first = new long[n];
        List<TokenSource> sources = new ArrayList<>(n), lasts = new ArrayList<>(n);
        long token = 0;
        for (int i = 0; i < n; i++) {
            token += 1 + rnd.nextInt(5000);
            first[i] = token;
            TokenSource src = switch (i % 5) {
                case 0 -> TokenSource.UNKNOWN;
                case 1 -> new TokenSource("events", 3, Long.MAX_VALUE - i, Long.MIN_VALUE + i, "id-" + i);
                default ->
                    new TokenSource(
                            i % 2 == 0 ? "events" : "ünïcode-topic",
                            rnd.nextInt(64),
                            rnd.nextLong(),
                            1_700_000_000_000L - rnd.nextInt(1_000_000),
                            i % 3 == 0 ? null : "id-" + (i % 7));
            };
            sources.add(src);
            lasts.add(i % 4 == 2 ? new TokenSource(src.topic(), src.partition(), src.offset() + 40, 0L, "last") : src);
        }
        return new PackedSources.Segments(first, sources, lasts);
    }

    @Test
    void segmentsReadBackAsTheyWereWritten() {
        for (int n : new int[] {0, 1, 7, 1024}) {
            PackedSources.Segments s = segments(n, n);
            PackedSources.Segments back = PackedSources.decode(PackedSources.encode(s));
            assertThat(back.firstTokens()).as("%d segments", n).containsExactly(s.firstTokens());
            assertThat(back.sources()).as("%d segments", n).isEqualTo(s.sources());
            assertThat(back.lastSources()).as("%d segments", n).isEqualTo(s.lastSources());
        }
    }

    @Test
    void aLongStreamsSegmentsTakeAFewBytesEach() {
        long[] first = new long[1024];
        List<TokenSource> sources = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            first[i] = 64L * i;
            sources.add(new TokenSource("ltm.events", 0, 1_000_000 + 2L * i, 1_700_000_000_000L + 2000L * i, null));
        }
        int bytes = PackedSources.encode(new PackedSources.Segments(first, sources, sources))
                .remaining();
        // a segment after the first: first token 2 bytes, topic 1, partition 1, offset 1, time 2, id 1, merge flag 1
        // (as Avro records, 36 bytes a segment)
        assertThat(bytes).isLessThan(9 * 1024 + 32);
    }

    @Test
    void damagedOrLaterBytesAreRefused() {
        ByteBuffer good = PackedSources.encode(segments(30, 1));
        byte[] cut = Arrays.copyOf(good.array(), good.remaining() / 2);
        assertThatThrownBy(() -> PackedSources.decode(ByteBuffer.wrap(cut)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("damaged");
        byte[] huge = good.array().clone();
        huge[1] = (byte) 0xfe; // the segment count: far beyond the bytes there are
        huge[2] = (byte) 0xff;
        huge[3] = (byte) 0x7f;
        assertThatThrownBy(() -> PackedSources.decode(ByteBuffer.wrap(huge)))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] later = good.array().clone();
        later[0] = 4; // layout 2, zig-zag
        assertThatThrownBy(() -> PackedSources.decode(ByteBuffer.wrap(later)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layout 2");
    }
}
