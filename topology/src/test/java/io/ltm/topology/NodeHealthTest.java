package io.ltm.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

import io.ltm.schemas.registry.SchemaRegistryUnavailableException;
import io.ltm.topology.internal.NodeHealth;

class NodeHealthTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final NodeHealth health = new NodeHealth(60_000, 3, 120_000, now::get);

    private static Throwable registryDown() {
        return new StreamsException("task failed", new SchemaRegistryUnavailableException(
                "schema registry GET /schemas/ids/13 failed: HTTP 503 (after 4 attempts)", 503, 50301, null));
    }

    @Test
    void aThreadThatKeepsFailingMakesTheNodeDegradedWithTheReasonWhileStreamsSaysRunning() {
        assertThat(health.report(KafkaStreams.State.RUNNING, List.of()).ok()).isTrue();
        health.threadFailed(registryDown());
        health.threadFailed(registryDown());
        NodeHealth.Report two = health.report(KafkaStreams.State.RUNNING, List.of());
        assertThat(two.ok()).isTrue(); // one or two replacements are a blip, not a stuck partition
        assertThat(two.body()).containsEntry("threadFailures", 2).containsKey("lastFailure");
        now.addAndGet(1_000);
        health.threadFailed(registryDown());
        NodeHealth.Report degraded = health.report(KafkaStreams.State.RUNNING, List.of());
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
        assertThat(health.report(KafkaStreams.State.RUNNING, List.of()).ok()).isFalse();
        now.addAndGet(60_001);
        NodeHealth.Report r = health.report(KafkaStreams.State.RUNNING, List.of());
        assertThat(r.ok()).isTrue();
        assertThat(r.body()).containsEntry("state", "RUNNING").containsEntry("threadFailures", 0);
    }

    @Test
    void aNodeThatIsNotRunningIsNotHealthy() {
        assertThat(health.report(KafkaStreams.State.REBALANCING, List.of()).ok()).isTrue();
        assertThat(health.report(KafkaStreams.State.ERROR, List.of()).ok()).isFalse();
        assertThat(health.report(KafkaStreams.State.PENDING_SHUTDOWN, List.of()).ok()).isFalse();
    }

    /** The active task 0_1 reading {@code tokens-1}, at {@code committed} with {@code end}. */
    private static TaskMetadata task(long committed, long end) {
        TopicPartition tp = new TopicPartition("tokens", 1);
        return new TaskMetadata() {
            public TaskId taskId() { return new TaskId(0, 1); }
            public Set<TopicPartition> topicPartitions() { return Set.of(tp); }
            public Map<TopicPartition, Long> committedOffsets() { return Map.of(tp, committed); }
            public Map<TopicPartition, Long> endOffsets() { return Map.of(tp, end); }
            public Optional<Long> timeCurrentIdlingStarted() { return Optional.empty(); }
        };
    }

    @Test
    void aPartitionWhoseCommittedOffsetDoesNotMoveWhileItHasLagMakesTheNodeDegradedAndIsNamed() {
        assertThat(health.report(KafkaStreams.State.RUNNING, List.of(task(40, 50))).ok()).isTrue();
        now.addAndGet(119_999);
        assertThat(health.report(KafkaStreams.State.RUNNING, List.of(task(40, 70))).ok()).as("not yet").isTrue();
        now.addAndGet(1);
        NodeHealth.Report stuck = health.report(KafkaStreams.State.RUNNING, List.of(task(40, 70)));
        assertThat(stuck.ok()).isFalse();
        assertThat(stuck.body()).containsEntry("state", "DEGRADED").containsEntry("threadFailures", 0)
                .containsEntry("stuckPartitions", List.of("tokens-1"));
        assertThat((String) stuck.body().get("reason")).contains("tokens-1 at offset 40 (end 70, lag 30)");

        NodeHealth.Report moved = health.report(KafkaStreams.State.RUNNING, List.of(task(41, 70)));
        assertThat(moved.ok()).as("the offset moved: its clock starts again").isTrue();
        assertThat(moved.body()).containsEntry("stuckPartitions", List.of());
    }

    @Test
    void anIdlePartitionWithoutLagIsNeverStuckNorOneThatMovedAway() {
        health.report(KafkaStreams.State.RUNNING, List.of(task(70, 70)));
        now.addAndGet(600_000);
        assertThat(health.report(KafkaStreams.State.RUNNING, List.of(task(70, 70))).ok()).as("caught up").isTrue();

        health.report(KafkaStreams.State.RUNNING, List.of(task(70, 90)));
        now.addAndGet(60_000);
        health.report(KafkaStreams.State.RUNNING, List.of()); // the task moved to another instance
        now.addAndGet(60_000);
        assertThat(health.report(KafkaStreams.State.RUNNING, List.of(task(70, 90))).ok())
                .as("back again: its clock starts anew").isTrue();
        now.addAndGet(120_000);
        assertThat(health.report(KafkaStreams.State.RUNNING, List.of(task(70, 90))).ok()).isFalse();
    }

    @Test
    void unknownOffsetsAreNotStuck() {
        health.report(KafkaStreams.State.RUNNING, List.of(task(-1, 90)));
        now.addAndGet(600_000);
        assertThat(health.report(KafkaStreams.State.RUNNING, List.of(task(-1, 90))).ok()).isTrue();
    }
}
