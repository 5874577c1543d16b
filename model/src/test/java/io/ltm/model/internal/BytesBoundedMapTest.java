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
    void theLeastRecentlyUsedGoFirstOnceTheBytesExceedTheBound() {
        BytesBoundedMap<String> m = map(10);
        assertThat(m.put("a", "aaaa")).isZero();
        assertThat(m.put("b", "bbbb")).isZero();
        assertThat(m.get("a")).isEqualTo("aaaa"); // now b is the least recently used
        assertThat(m.put("c", "cccc")).isEqualTo(1);
        assertThat(m.get("b")).isNull();
        assertThat(m.get("a")).isEqualTo("aaaa");
        assertThat(m.bytes()).isEqualTo(8);
        assertThat(m.size()).isEqualTo(2);
    }

    @Test
    void aValueReplacesTheKeysAndOneLargerThanTheBoundIsNotKept() {
        BytesBoundedMap<String> m = map(10);
        m.put("a", "aaaa");
        m.put("a", "aaaaaa");
        assertThat(m.bytes()).isEqualTo(6);
        assertThat(m.put("a", "x".repeat(11))).isZero();
        assertThat(m.get("a")).as("the old value is dropped too").isNull();
        assertThat(m.bytes()).isZero();
        m.put("b", "bb");
        m.remove("b");
        assertThat(m.bytes()).isZero();
        assertThat(map(0).put("c", "")).isZero();
        assertThatThrownBy(() -> map(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
