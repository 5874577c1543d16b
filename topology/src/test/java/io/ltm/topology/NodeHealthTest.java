package io.ltm.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.schemas.registry.SchemaRegistryUnavailableException;
import io.ltm.topology.internal.NodeHealth;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class NodeHealthTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final NodeHealth health = new NodeHealth(60_000, 3, 120_000, now::get, null);

    private static Throwable registryDown() {
        return new StreamsException(
                "task failed",
                new SchemaRegistryUnavailableException(
                        "schema registry GET /schemas/ids/13 failed: HTTP 503 (after 4 attempts)", 503, 50301, null));
    }

    @Test
    void aThreadThatKeepsFailingMakesTheNodeDegradedWithTheReasonWhileStreamsSaysRunning() {
        assertThat(health.report(KafkaStreams.State.RUNNING, Set.of(), Map.of(), Map.of(), Map.of())
                        .ok())
                .isTrue();
        health.threadFailed(registryDown(), Set.of());
        health.threadFailed(registryDown(), Set.of());
        NodeHealth.Report two = health.report(KafkaStreams.State.RUNNING, Set.of(), Map.of(), Map.of(), Map.of());
        assertThat(two.ok()).isTrue(); // one or two replacements are a blip, not a stuck partition
        assertThat(two.body()).containsEntry("threadFailures", 2).containsKey("lastFailure");
        now.addAndGet(1_000);
        health.threadFailed(registryDown(), Set.of());
        NodeHealth.Report degraded = health.report(KafkaStreams.State.RUNNING, Set.of(), Map.of(), Map.of(), Map.of());
        assertThat(degraded.ok()).isFalse();
        assertThat(degraded.body()).containsEntry("state", "DEGRADED").containsEntry("streamsState", "RUNNING");
        assertThat((String) degraded.body().get("reason"))
                .contains("3 stream-thread failures")
                .contains(SchemaRegistryUnavailableException.class.getName())
                .contains("HTTP 503");
    }

    @Test
    void failuresOutsideTheWindowAreForgotten() {
        for (int i = 0; i < 3; i++) {
            health.threadFailed(registryDown(), Set.of());
        }
        assertThat(health.report(KafkaStreams.State.RUNNING, Set.of(), Map.of(), Map.of(), Map.of())
                        .ok())
                .isFalse();
        now.addAndGet(60_001);
        NodeHealth.Report r = health.report(KafkaStreams.State.RUNNING, Set.of(), Map.of(), Map.of(), Map.of());
        assertThat(r.ok()).isTrue();
        assertThat(r.body()).containsEntry("state", "RUNNING").containsEntry("threadFailures", 0);
    }

    @Test
    void aNodeThatIsNotRunningIsNotHealthy() {
        assertThat(health.report(KafkaStreams.State.REBALANCING, Set.of(), Map.of(), Map.of(), Map.of())
                        .ok())
                .isTrue();
        assertThat(health.report(KafkaStreams.State.ERROR, Set.of(), Map.of(), Map.of(), Map.of())
                        .ok())
                .isFalse();
        assertThat(health.report(KafkaStreams.State.PENDING_SHUTDOWN, Set.of(), Map.of(), Map.of(), Map.of())
                        .ok())
                .isFalse();
    }

    private static final TopicPartition TOKENS_1 = new TopicPartition("tokens", 1);

    private NodeHealth.Report at(long committed, long end) {
        return at(committed, end, end);
    }

    /** A sample of tokens-1, active here, with its committed offset, last stable offset and log end. */
    private NodeHealth.Report at(long committed, long end, long logEnd) {
        return health.report(
                KafkaStreams.State.RUNNING,
                Set.of(TOKENS_1),
                Map.of(TOKENS_1, committed),
                Map.of(TOKENS_1, end),
                Map.of(TOKENS_1, logEnd));
    }

    /** A sample while the task of tokens-1 is away from this instance (its offsets asked because it is tracked). */
    private NodeHealth.Report away(long committed, long end) {
        return health.report(
                KafkaStreams.State.RUNNING, Set.of(), Map.of(TOKENS_1, committed), Map.of(TOKENS_1, end), Map.of());
    }

    @Test
    void aPartitionWhoseCommittedOffsetDoesNotMoveWhileItHasLagMakesTheNodeDegradedAndIsNamed() {
        assertThat(at(40, 50).ok()).isTrue();
        now.addAndGet(119_999);
        assertThat(at(40, 70).ok()).as("not yet").isTrue();
        now.addAndGet(1);
        NodeHealth.Report stuck = at(40, 70);
        assertThat(stuck.ok()).isFalse();
        assertThat(stuck.body())
                .containsEntry("state", "DEGRADED")
                .containsEntry("threadFailures", 0)
                .containsEntry("stuckPartitions", List.of("tokens-1"));
        assertThat((String) stuck.body().get("reason")).contains("tokens-1 at offset 40 (end 70, lag 30)");

        NodeHealth.Report moved = at(41, 70);
        assertThat(moved.ok()).as("the offset moved: its clock starts again").isTrue();
        assertThat(moved.body()).containsEntry("stuckPartitions", List.of());
    }

    /** A sample of tokens-1 caught up to its last stable offset {@code stable}, with the log reaching {@code logEnd}. */
    private NodeHealth.Report behindTransaction(long stable, long logEnd) {
        return at(stable, stable, logEnd);
    }

    @Test
    void aPartitionHeldBehindATransactionThatStaysOpenMakesTheNodeDegradedAndIsNamed() {
        assertThat(behindTransaction(40, 45).ok()).isTrue();
        now.addAndGet(60_000);
        assertThat(behindTransaction(52, 60).ok())
                .as("transactions that end move the last stable offset")
                .isTrue();
        now.addAndGet(119_999);
        assertThat(behindTransaction(52, 90).ok()).as("not yet").isTrue();
        now.addAndGet(1);
        NodeHealth.Report held = behindTransaction(52, 95);
        assertThat(held.ok()).isFalse();
        assertThat(held.body())
                .containsEntry("state", "DEGRADED")
                .containsEntry("stuckPartitions", List.of())
                .containsEntry("heldPartitions", List.of("tokens-1"));
        assertThat((String) held.body().get("reason"))
                .contains("tokens-1 at offset 52 (log end 95) for 120000 ms")
                .contains("kafka-transactions.sh");

        assertThat(behindTransaction(95, 95).ok())
                .as("aborted: nothing open any more")
                .isTrue();
        now.addAndGet(600_000);
        assertThat(behindTransaction(95, 95).ok()).isTrue();
    }

    @Test
    void anIdlePartitionWithoutLagIsNeverStuck() {
        at(70, 70);
        now.addAndGet(600_000);
        assertThat(at(70, 70).ok()).as("caught up").isTrue();
        at(70, 90);
        now.addAndGet(119_000);
        assertThat(at(90, 90).ok()).isTrue();
        now.addAndGet(1_000);
        assertThat(at(90, 95).ok()).as("lag again: a new clock").isTrue();
    }

    @Test
    void aStuckPartitionStaysReportedWhileItsTaskIsAwayForTheCommittedOffsetIsTheGroups() {
        at(70, 90);
        now.addAndGet(60_000);
        // the thread failed and is being replaced: no active task in this sample, the tracked partition is asked
        assertThat(away(70, 90).ok()).as("not yet").isTrue();
        now.addAndGet(60_000);
        NodeHealth.Report still = away(70, 90);
        assertThat(still.ok()).as("nobody moved it meanwhile").isFalse();
        assertThat(still.body()).containsEntry("stuckPartitions", List.of("tokens-1"));
        assertThat(at(70, 90).ok()).as("and back").isFalse();
    }

    @Test
    void aPartitionThatMovesOnElsewhereIsForgotten() {
        at(70, 90);
        now.addAndGet(60_000);
        assertThat(away(75, 95).ok()).as("another instance moves it").isTrue();
        assertThat(health.report(KafkaStreams.State.RUNNING, Set.of(), Map.of(), Map.of(), Map.of())
                        .ok())
                .isTrue();
        now.addAndGet(120_000);
        assertThat(at(75, 95).ok()).as("back here: a new clock").isTrue();
    }

    @Test
    void aFailedThreadsPartitionsAreWatchedThoughNoSampleEverSawTheirTaskActive() {
        // the thread fails on its first record each time: its replacement holds the task only between samples
        health.threadFailed(registryDown(), Set.of(TOKENS_1));
        assertThat(away(70, 90).ok()).as("the clock starts").isTrue();
        now.addAndGet(120_000);
        NodeHealth.Report stuck = away(70, 90);
        assertThat(stuck.ok()).isFalse();
        assertThat(stuck.body()).containsEntry("stuckPartitions", List.of("tokens-1"));
    }

    @Test
    void aFailedThreadsPartitionThatMovesElsewhereIsNotReported() {
        health.threadFailed(registryDown(), Set.of(TOKENS_1));
        away(70, 90);
        now.addAndGet(60_000);
        assertThat(away(80, 95).ok())
                .as("another instance took it and moves it")
                .isTrue();
        now.addAndGet(120_000);
        assertThat(away(80, 95).ok()).as("forgotten, not suspected again").isTrue();
    }

    @Test
    void failingThreadsAndAStuckPartitionAreBothReasons() {
        at(5, 9);
        now.addAndGet(120_000);
        for (int i = 0; i < 3; i++) {
            health.threadFailed(registryDown(), Set.of());
        }
        NodeHealth.Report r = at(5, 9);
        assertThat(r.ok()).isFalse();
        assertThat((String) r.body().get("reason"))
                .contains("3 stream-thread failures")
                .contains("committed offset not moving while records wait behind it: [tokens-1 at offset 5");
    }

    @Test
    void aFailedRecordsTaskNamesItsInputPartitionsThoughTheThreadNoLongerListsIt() {
        org.apache.kafka.streams.Topology t = new org.apache.kafka.streams.Topology();
        t.addSource("tokens-in", "ltm.tokens", "ltm.queries");
        t.addProcessor("p", NodeHealthTest::sink, "tokens-in");
        t.addSource("other-in", "other");
        t.addSource("by-key", "ltm-queries-by-key-repartition");
        t.addProcessor("k", NodeHealthTest::sink, "by-key");
        t.addProcessor("q", NodeHealthTest::sink, "other-in");
        var description = t.describe();
        var failed = new StreamsException("failed", new org.apache.kafka.streams.processor.TaskId(0, 3));
        assertThat(NodeHealth.partitionsOf(description, "app", failed))
                .containsExactlyInAnyOrder(new TopicPartition("ltm.tokens", 3), new TopicPartition("ltm.queries", 3));
        // a repartition topic is named as Kafka Streams creates it: after the application id
        int behind = description.subtopologies().stream()
                .filter(sub -> sub.nodes().stream().anyMatch(n -> n.name().equals("by-key")))
                .findFirst()
                .orElseThrow()
                .id();
        var failedBehind = new StreamsException("failed", new org.apache.kafka.streams.processor.TaskId(behind, 1));
        assertThat(NodeHealth.partitionsOf(description, "app", failedBehind))
                .containsExactly(new TopicPartition("app-ltm-queries-by-key-repartition", 1));
        assertThat(NodeHealth.partitionsOf(description, "app", new StreamsException("no task")))
                .isEmpty();
        assertThat(NodeHealth.partitionsOf(description, "app", new IllegalStateException("not Streams'")))
                .isEmpty();
    }

    private static org.apache.kafka.streams.processor.api.Processor<Object, Object, Object, Object> sink() {
        return new org.apache.kafka.streams.processor.api.Processor<>() {
            @Override
            public void process(org.apache.kafka.streams.processor.api.Record<Object, Object> r) {
                // a topology needs a processor behind each source; nothing runs here
            }
        };
    }
}
