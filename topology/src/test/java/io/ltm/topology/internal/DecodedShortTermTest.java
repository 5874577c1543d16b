package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.TokenSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodedShortTermTest {
    private static final TokenSource SOURCE = new TokenSource("t", 0, 1, 2, null);

    /** A record of 2 vectors of 2 floats, decoded from {@code stored}: 16 bytes of floats and the stored bytes. */
    private static DecodedShortTerm.Decoded record(int... stored) {
        return new DecodedShortTerm.Decoded(bytes(stored), new float[] {1, 2, 3, 4}, 2, List.of("a", "b"), SOURCE, 8);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) values[i];
        return b;
    }

    @Test
    void aRecordIsFoundOnlyForTheBytesItWasDecodedFrom() {
        DecodedShortTerm cache = new DecodedShortTerm(1 << 20);
        DecodedShortTerm.Decoded r = record(1, 2, 3);
        cache.put("k", "k#0", r);
        assertThat(cache.find("k", "k#0", bytes(1, 2, 3))).isSameAs(r); // equal bytes, read back from the store
        assertThat(cache.find("k", "k#0", bytes(1, 2, 4))).isNull(); // another record under the same store key
        assertThat(cache.find("k", "k#1", bytes(1, 2, 3))).isNull();
        assertThat(cache.find("other", "k#0", bytes(1, 2, 3))).isNull();
        cache.clear("k");
        assertThat(cache.find("k", "k#0", bytes(1, 2, 3))).isNull();
        assertThat(cache.bytes()).isZero();
    }

    @Test
    void theLeastRecentlyUsedKeysGoFirstOnceTheBoundIsExceeded() {
        long one = 4 * Float.BYTES + 3; // the floats and the stored bytes of one record
        DecodedShortTerm cache = new DecodedShortTerm(3 * one);
        cache.put("a", "a#0", record(1, 1, 1));
        cache.put("a", "a#1", record(1, 1, 2));
        cache.put("b", "b#0", record(2, 2, 2));
        assertThat(cache.bytes()).isEqualTo(3 * one);
        assertThat(cache.find("a", "a#0", bytes(1, 1, 1))).isNotNull(); // a is now the most recently used
        cache.put("c", "c#0", record(3, 3, 3));
        assertThat(cache.find("b", "b#0", bytes(2, 2, 2))).isNull();
        assertThat(cache.find("a", "a#1", bytes(1, 1, 2))).isNotNull();
        assertThat(cache.bytes()).isEqualTo(3 * one);
        cache.put("c", "c#0", record(3, 3, 3)); // replaced, not counted twice
        assertThat(cache.bytes()).isEqualTo(3 * one);
    }
}
