package io.ltm.model.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BytesBoundedMapTest {

    /** Values whose bytes are their length. */
    private static BytesBoundedMap<String> map(long maxBytes) {
        return new BytesBoundedMap<>(maxBytes, String::length);
    }

    @Test
    void whatFitsIsKeptAndTheBytesNeverExceedTheBound() {
        BytesBoundedMap<String> m = map(10);
        assertThat(m.put("a", "aaaa")).isZero();
        assertThat(m.put("b", "bbbb")).isZero();
        assertThat(m.get("a")).isEqualTo("aaaa");
        assertThat(m.get("b")).isEqualTo("bbbb");
        assertThat(m.bytes()).isEqualTo(8);
        assertThat(m.put("c", "cccc")).isEqualTo(1);
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.bytes()).isEqualTo(8);
    }

    /**
     * 100 keys used in turn, 80 fitting: least-recently-used eviction would evict each key just before its next use
     * and never hit; this policy keeps most of the 80.
     */
    @Test
    void keysUsedInTurnThatOutgrowTheBoundStillMostlyHit() {
        int keys = 100, fit = 80, rounds = 50;
        BytesBoundedMap<String> m = map(fit * 10L);
        String value = "x".repeat(10);
        int hits = 0;
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < keys; k++) {
                if (m.get("k" + k) != null) hits++;
                else m.put("k" + k, value);
                assertThat(m.bytes()).isLessThanOrEqualTo(fit * 10L);
            }
        }
        assertThat(hits).as("hits of %d uses", keys * rounds).isGreaterThan(keys * rounds / 2);
    }

    @Test
    void aValueReplacesTheKeysAndOneLargerThanTheBoundIsNotKept() {
        BytesBoundedMap<String> m = map(10);
        m.put("a", "aaaa");
        m.put("a", "aaaaaa");
        assertThat(m.get("a")).isEqualTo("aaaaaa");
        assertThat(m.bytes()).isEqualTo(6);
        assertThat(m.put("a", "x".repeat(11))).isZero();
        assertThat(m.get("a")).as("the old value is dropped too").isNull();
        assertThat(m.bytes()).isZero();
        m.put("b", "bb");
        m.remove("b");
        assertThat(m.get("b")).isNull();
        assertThat(m.bytes()).isZero();
        assertThat(m.size()).isZero();
        m.put("e", "eee");
        assertThat(m.put("e", "")).as("a value of no bytes").isZero();
        assertThat(m.get("e")).isNull();
        BytesBoundedMap<String> none = map(0);
        assertThat(none.put("c", "c")).isZero();
        assertThat(none.get("c")).isNull();
        assertThatThrownBy(() -> map(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
