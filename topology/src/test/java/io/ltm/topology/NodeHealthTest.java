package io.ltm.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

import io.ltm.schemas.registry.SchemaRegistryUnavailableException;
import io.ltm.topology.internal.NodeHealth;

class NodeHealthTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final NodeHealth health = new NodeHealth(60_000, 3, now::get);

    private static Throwable registryDown() {
        return new StreamsException("task failed", new SchemaRegistryUnavailableException(
                "schema registry GET /schemas/ids/13 failed: HTTP 503 (after 4 attempts)", 503, 50301, null));
    }

    @Test
    void aThreadThatKeepsFailingMakesTheNodeDegradedWithTheReasonWhileStreamsSaysRunning() {
        assertThat(health.report(KafkaStreams.State.RUNNING).ok()).isTrue();
        health.threadFailed(registryDown());
        health.threadFailed(registryDown());
        NodeHealth.Report two = health.report(KafkaStreams.State.RUNNING);
        assertThat(two.ok()).isTrue(); // one or two replacements are a blip, not a stuck partition
        assertThat(two.body()).containsEntry("threadFailures", 2).containsKey("lastFailure");
        now.addAndGet(1_000);
        health.threadFailed(registryDown());
        NodeHealth.Report degraded = health.report(KafkaStreams.State.RUNNING);
        assertThat(degraded.ok()).isFalse();
        assertThat(degraded.body()).containsEntry("state", "DEGRADED").containsEntry("streamsState", "RUNNING");
        assertThat((String) degraded.body().get("reason")).contains("3 stream-thread failures")
                .contains(SchemaRegistryUnavailableException.class.getName()).contains("HTTP 503");
    }

    @Test
    void failuresOutsideTheWindowAreForgotten() {
        for (int i = 0; i < 3; i++) {
            health.threadFailed(registryDown());
        }
        assertThat(health.report(KafkaStreams.State.RUNNING).ok()).isFalse();
        now.addAndGet(60_001);
        NodeHealth.Report r = health.report(KafkaStreams.State.RUNNING);
        assertThat(r.ok()).isTrue();
        assertThat(r.body()).containsEntry("state", "RUNNING").containsEntry("threadFailures", 0);
    }

    @Test
    void aNodeThatIsNotRunningIsNotHealthy() {
        assertThat(health.report(KafkaStreams.State.REBALANCING).ok()).isTrue();
        assertThat(health.report(KafkaStreams.State.ERROR).ok()).isFalse();
        assertThat(health.report(KafkaStreams.State.PENDING_SHUTDOWN).ok()).isFalse();
    }
}
