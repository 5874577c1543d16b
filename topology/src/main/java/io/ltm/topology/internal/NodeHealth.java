package io.ltm.topology.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;

import io.ltm.topology.api.LtmConfig;

/**
 * What {@code /health} says. The Streams state alone is not enough: a stream thread that fails is replaced, so the
 * state stays RUNNING while a thread fails again and again on the same record or on an unreachable dependency and
 * its partitions never move. So failures are counted in a sliding window, and from the configured count on the
 * node is DEGRADED, with the last failure as the reason. It is DEGRADED too while an input partition of an active
 * task has lag and its committed offset does not move ({@link StuckPartitions}); the reason names the partitions.
 */
public final class NodeHealth {

    /** The answer: {@code ok} selects 200 or 503; {@code body} is the JSON document. */
    public record Report(boolean ok, Map<String, Object> body) {
    }

    private final long windowMs;
    private final int maxFailures;
    private final LongSupplier clock;
    private final StuckPartitions stuckPartitions;
    private final Deque<Long> failures = new ArrayDeque<>();
    private String lastFailure;

    public NodeHealth(long windowMs, int maxFailures, long stuckPartitionMs, LongSupplier clock) {
        this.windowMs = windowMs;
        this.maxFailures = maxFailures;
        this.clock = clock;
        this.stuckPartitions = new StuckPartitions(stuckPartitionMs);
    }

    public static NodeHealth of(LtmConfig config) {
        return new NodeHealth(config.getLong(LtmConfig.HEALTH_WINDOW_MS),
                config.getInt(LtmConfig.HEALTH_MAX_THREAD_FAILURES),
                config.getLong(LtmConfig.HEALTH_STUCK_PARTITION_MS), System::currentTimeMillis);
    }

    /** Called by the uncaught-exception handler before the thread is replaced. */
    public synchronized void threadFailed(Throwable e) {
        failures.addLast(clock.getAsLong());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        lastFailure = root.getClass().getName() + ": " + root.getMessage();
        prune();
    }

    /** The report for a running {@code streams}: its state and its active tasks' offsets. */
    public Report report(KafkaStreams streams) {
        KafkaStreams.State state = streams.state();
        List<TaskMetadata> active = List.of();
        if (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING) {
            active = streams.metadataForLocalThreads().stream().map(ThreadMetadata::activeTasks)
                    .flatMap(Collection::stream).toList();
        }
        return report(state, active);
    }

    public synchronized Report report(KafkaStreams.State state, Collection<TaskMetadata> activeTasks) {
        prune();
        Map<TopicPartition, Long> committed = new HashMap<>();
        Map<TopicPartition, Long> end = new HashMap<>();
        for (TaskMetadata t : activeTasks) {
            committed.putAll(t.committedOffsets());
            end.putAll(t.endOffsets());
        }
        List<StuckPartitions.Stuck> stuck = stuckPartitions.sample(committed, end, clock.getAsLong());
        Map<String, Object> body = new LinkedHashMap<>();
        boolean running = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
        boolean failing = failures.size() >= maxFailures;
        boolean degraded = failing || !stuck.isEmpty();
        body.put("state", degraded ? "DEGRADED" : state.toString());
        body.put("streamsState", state.toString());
        body.put("threadFailures", failures.size());
        body.put("windowMs", windowMs);
        body.put("stuckPartitions", stuck.stream().map(s -> s.partition().toString()).toList());
        if (degraded) {
            List<String> reasons = new ArrayList<>();
            if (failing) {
                reasons.add(failures.size() + " stream-thread failures in the last " + windowMs
                        + " ms (each thread was replaced; its partitions may not move). Last: " + lastFailure);
            }
            if (!stuck.isEmpty()) {
                reasons.add("committed offset not moving while records wait behind it: " + stuck);
            }
            body.put("reason", String.join("; ", reasons));
        } else if (lastFailure != null && !failures.isEmpty()) {
            body.put("lastFailure", lastFailure);
        }
        return new Report(running && !degraded, body);
    }

    private void prune() {
        long from = clock.getAsLong() - windowMs;
        while (!failures.isEmpty() && failures.peekFirst() < from) {
            failures.removeFirst();
        }
    }
}
