package io.ltm.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void aValidUtf8KeyIsDecoded() {
        assertThat(Keys.decode("użytkownik-7 ✓".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("użytkownik-7 ✓");
    }

    @Test
    void missingEmptyNulAndNonUtf8KeysAreRejected() {
        assertThatThrownBy(() -> Keys.decode(null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no key");
        assertThatThrownBy(() -> Keys.decode(new byte[0])).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Keys.decode("a\0b".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("NUL");
        // two different invalid byte strings would otherwise both become the key "\uFFFD"
        assertThatThrownBy(() -> Keys.decode(new byte[] {(byte) 0xff}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> Keys.decode(new byte[] {(byte) 0xc3}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not valid UTF-8");
    }
}
