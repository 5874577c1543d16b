package io.ltm.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Starting and stopping a private registry (the other tests share one through TestRegistry). */
class LocalRegistryTest {

    @Test
    void startsAnswersWithBackwardAndStopsItsProcess() throws Exception {
        long pid;
        try (LocalRegistry r = LocalRegistry.start(Duration.ofSeconds(90))) {
            assertThat(r.url()).matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7");
            SchemaRegistryClient c = SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", r.url()));
            assertThat(c.getCompatibility(null)).contains(Compatibility.BACKWARD);
            assertThat(c.subjects()).isEmpty();
            pid = r.registryPid();
            assertThat(pid).isPositive();
            assertThat(ProcessHandle.of(pid)).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
        }
        Thread.sleep(200);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("registry JVM gone").isFalse();
    }
}
