package io.ltm.topology.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.topology.api.UserFacingException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventLinesTest {

    @Test
    void aDpkgLogLineGetsItsOwnTimeAndAContinuationLineKeepsIt() {
        EventLines p = new EventLines("host", "^(\\S+ \\S+)", "yyyy-MM-dd HH:mm:ss", "UTC", false);
        EventLines.Event e = p.parse("2024-05-01 10:22:33 status installed libc6:amd64 2.36-9");
        assertThat(e.time()).isEqualTo(Instant.parse("2024-05-01T10:22:33Z"));
        assertThat(e.text()).isEqualTo("2024-05-01 10:22:33 status installed libc6:amd64 2.36-9");
        assertThat(e.key()).isEqualTo("host");
        assertThat(p.parse("    at some.stack.Frame").time()).isEqualTo(Instant.parse("2024-05-01T10:22:33Z"));
        assertThat(p.parse("   ")).isNull();
    }

    @Test
    void aZoneInTheTextWinsOverTimeZone() {
        EventLines p = new EventLines("k", "^\\S+", null, "Europe/Paris", false);
        assertThat(p.parse("2024-05-01T10:00:00+02:00 x").time()).isEqualTo(Instant.parse("2024-05-01T08:00:00Z"));
        assertThat(p.parse("2024-05-01T10:00:00 local").time()).isEqualTo(Instant.parse("2024-05-01T08:00:00Z"));
    }

    @Test
    void jsonLinesCarryTextTimeAndKey() {
        EventLines p = new EventLines("default", null, null, "UTC", true);
        EventLines.Event a =
                p.parse("{\"text\":\"alice logged in\",\"time\":\"2024-06-01T08:00:00Z\",\"key\":\"auth\"}");
        assertThat(a).isEqualTo(new EventLines.Event("auth", "alice logged in", Instant.parse("2024-06-01T08:00:00Z")));
        EventLines.Event b = p.parse("{\"text\":\"bob failed\",\"time\":1717229000000}");
        assertThat(b).isEqualTo(new EventLines.Event("default", "bob failed", Instant.ofEpochMilli(1717229000000L)));
        assertThat(p.parse("{\"text\":\"no time\"}").time()).isNull();
    }

    @Test
    void mistakesAreOneReadableSentence() {
        assertThatThrownBy(() -> new EventLines("k", "(", null, "UTC", false))
                .isInstanceOf(UserFacingException.class)
                .hasMessageStartingWith("bad --time-regex");
        assertThatThrownBy(() -> new EventLines("k", null, "yyyy", "UTC", false))
                .isInstanceOf(UserFacingException.class)
                .hasMessageContaining("--time-format needs --time-regex");
        assertThatThrownBy(() -> new EventLines("k", "x", "yyyy", "Mars/Base", false))
                .isInstanceOf(UserFacingException.class)
                .hasMessageStartingWith("bad --time-zone");
        EventLines p = new EventLines("k", "^(\\S+ \\S+)", "yyyy-MM-dd HH:mm", "UTC", false);
        assertThatThrownBy(() -> p.parse("2024-05-01 10:22:33 x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "cannot read the time '2024-05-01 10:22:33' with --time-format 'yyyy-MM-dd HH:mm'");
        EventLines first = new EventLines("k", "^\\d{4}-\\S+", null, "UTC", false);
        assertThatThrownBy(() -> first.parse("no time here")).hasMessageContaining("no time matching --time-regex");
        EventLines json = new EventLines("k", null, null, "UTC", true);
        assertThatThrownBy(() -> json.parse("not json")).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> json.parse("{\"time\":1}")).hasMessage("no \"text\" string");
    }
}
