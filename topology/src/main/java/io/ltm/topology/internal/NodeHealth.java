package io.ltm.topology.internal;

import io.ltm.topology.api.LtmConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;

/**
 * What {@code /health} says. The Streams state alone is not enough: a stream thread that fails is replaced, so the
 * state stays RUNNING while a thread fails again and again on the same record or on an unreachable dependency and
 * its partitions never move. So failures are counted in a sliding window, and from the configured count on the
 * node is DEGRADED, with the last failure as the reason. It is DEGRADED too while an input partition of an active
 * task, or of a task whose thread failed, has lag and its committed offset does not move ({@link StuckPartitions}),
 * and while one of an active task stays held behind an open transaction ({@link HeldPartitions}); the reason names
 * the partitions.
 */
public final class NodeHealth implements AutoCloseable {

    /** The answer: {@code ok} selects 200 or 503; {@code body} is the JSON document. */
    public record Report(boolean ok, Map<String, Object> body) {}

    private final long windowMs;
    private final int maxFailures;
    private final LongSupplier clock;
    private final StuckPartitions stuckPartitions;
    private final HeldPartitions heldPartitions;
    private final GroupOffsets groupOffsets;
    private final Deque<Long> failures = new ArrayDeque<>();
    private String lastFailure;

    /** {@code groupOffsets} (may be null: no stuck check from {@link #report(KafkaStreams)}) asks the cluster. */
    public NodeHealth(
            long windowMs, int maxFailures, long stuckPartitionMs, LongSupplier clock, GroupOffsets groupOffsets) {
        this.windowMs = windowMs;
        this.maxFailures = maxFailures;
        this.clock = clock;
        this.stuckPartitions = new StuckPartitions(stuckPartitionMs);
        this.heldPartitions = new HeldPartitions(stuckPartitionMs);
        this.groupOffsets = groupOffsets;
    }

    public static NodeHealth of(LtmConfig config) {
        return new NodeHealth(
                config.getLong(LtmConfig.HEALTH_WINDOW_MS),
                config.getInt(LtmConfig.HEALTH_MAX_THREAD_FAILURES),
                config.getLong(LtmConfig.HEALTH_STUCK_PARTITION_MS),
                System::currentTimeMillis,
                new GroupOffsets(config));
    }

    /**
     * Called by the uncaught-exception handler before the thread is replaced, with the input partitions of the
     * failed thread's active tasks ({@link #partitionsOf}), which become {@linkplain StuckPartitions#suspect
     * suspects}.
     */
    public synchronized void threadFailed(Throwable e, Collection<TopicPartition> held) {
        stuckPartitions.suspect(held);
        failures.addLast(clock.getAsLong());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        lastFailure = root.getClass().getName() + ": " + root.getMessage();
        prune();
    }

    /** How Kafka Streams ends the names of repartition topics (which it prefixes with the application id). */
    private static final String REPARTITION = "-repartition";

    /** The input partitions of the active tasks of the stream thread named {@code threadName}. */
    public static Set<TopicPartition> partitionsOf(KafkaStreams streams, String threadName) {
        Set<TopicPartition> held = new HashSet<>();
        streams.metadataForLocalThreads().stream()
                .filter(t -> t.threadName().equals(threadName))
                .map(ThreadMetadata::activeTasks)
                .flatMap(Collection::stream)
                .forEach(t -> held.addAll(t.topicPartitions()));
        return held;
    }

    /**
     * The input partitions of the task that {@code e} names (a {@link StreamsException} carries the id of the task
     * whose record failed), from the topology's source topics: the thread's metadata may no longer list a task that
     * failed while it was being taken up. Internal (repartition) topics are named as Kafka Streams names them, after
     * {@code applicationId}.
     */
    public static Set<TopicPartition> partitionsOf(TopologyDescription topology, String applicationId, Throwable e) {
        Set<TopicPartition> out = new HashSet<>();
        if (!(e instanceof StreamsException se) || se.taskId().isEmpty()) return out;
        TaskId task = se.taskId().get();
        for (TopologyDescription.Subtopology sub : topology.subtopologies()) {
            if (sub.id() != task.subtopology()) continue;
            for (TopologyDescription.Node n : sub.nodes()) {
                if (n instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    for (String topic : source.topicSet()) {
                        String name = topic.endsWith(REPARTITION) ? applicationId + "-" + topic : topic;
                        out.add(new TopicPartition(name, task.partition()));
                    }
                }
            }
        }
        return out;
    }

    /** The report for {@code streams}: its state, and the offsets of the input partitions of its active tasks. */
    Report report(KafkaStreams streams) {
        KafkaStreams.State state = streams.state();
        Set<TopicPartition> active = new HashSet<>();
        if (groupOffsets != null && (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING)) {
            streams.metadataForLocalThreads().stream()
                    .map(ThreadMetadata::activeTasks)
                    .flatMap(Collection::stream)
                    .forEach(t -> active.addAll(t.topicPartitions()));
        }
        Set<TopicPartition> asked = new HashSet<>(active);
        asked.addAll(stuckPartitions.tracked());
        GroupOffsets.Offsets offsets = groupOffsets == null ? GroupOffsets.Offsets.NONE : groupOffsets.of(asked);
        return report(state, active, offsets.committed(), offsets.end(), offsets.logEnd());
    }

    /**
     * The report for a node in {@code state} whose active tasks read the partitions {@code active}, with the group's
     * {@code committed} offsets, {@code end}, the offsets a read_committed consumer can reach, and the log ends, of
     * those and of the partitions it tracks ({@link StuckPartitions#tracked()}).
     */
    public synchronized Report report(
            KafkaStreams.State state,
            Set<TopicPartition> active,
            Map<TopicPartition, Long> committed,
            Map<TopicPartition, Long> end,
            Map<TopicPartition, Long> logEnd) {
        prune();
        long now = clock.getAsLong();
        List<StuckPartitions.Stuck> stuck = stuckPartitions.sample(active, committed, end, now);
        List<HeldPartitions.Held> held = heldPartitions.sample(active, end, logEnd, now);
        Map<String, Object> body = new LinkedHashMap<>();
        boolean running = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
        boolean failing = failures.size() >= maxFailures;
        boolean degraded = failing || !stuck.isEmpty() || !held.isEmpty();
        body.put("state", degraded ? "DEGRADED" : state.toString());
        body.put("streamsState", state.toString());
        body.put("threadFailures", failures.size());
        body.put("windowMs", windowMs);
        body.put(
                "stuckPartitions",
                stuck.stream().map(s -> s.partition().toString()).toList());
        body.put(
                "heldPartitions",
                held.stream().map(h -> h.partition().toString()).toList());
        if (degraded) {
            List<String> reasons = new ArrayList<>();
            if (failing) {
                reasons.add(failures.size() + " stream-thread failures in the last " + windowMs
                        + " ms (each thread was replaced; its partitions may not move). Last: " + lastFailure);
            }
            if (!stuck.isEmpty()) {
                reasons.add("committed offset not moving while records wait behind it: " + stuck);
            }
            if (!held.isEmpty()) {
                reasons.add("last stable offset held below the log end by a transaction that stays open (records"
                        + " behind it do not reach this node; one its coordinator no longer has in progress is aborted"
                        + " by the node after ltm.hanging.transaction.abort.ms, or by hand with Kafka's"
                        + " kafka-transactions.sh find-hanging and abort): " + held);
            }
            body.put("reason", String.join("; ", reasons));
        } else if (lastFailure != null && !failures.isEmpty()) {
            body.put("lastFailure", lastFailure);
        }
        return new Report(running && !degraded, body);
    }

    @Override
    public void close() {
        if (groupOffsets != null) {
            groupOffsets.close();
        }
    }

    private void prune() {
        long from = clock.getAsLong() - windowMs;
        while (!failures.isEmpty() && failures.peekFirst() < from) {
            failures.removeFirst();
        }
    }
}
