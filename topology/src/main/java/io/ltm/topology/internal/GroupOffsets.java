package io.ltm.topology.internal;

import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.TopicProvisioner;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the node's consumer group stands, asked of the cluster: its committed offsets, the partitions' last stable
 * offsets (what a read_committed consumer can reach) and their log ends. Kafka Streams' own task metadata does not do: a task
 * that has not committed since it was assigned to this instance (one that fails on its first record, every time)
 * reports its committed offset as unknown. The admin client is created at the first call.
 *
 * <p>Each partition is answered on its own: one the cluster does not know (a topic named wrong, or deleted) or
 * cannot answer for in time is left out, and the others still count.
 */
final class GroupOffsets implements AutoCloseable {

    /**
     * Committed offsets (for a partition the group never committed, its log start offset), last stable offsets
     * ({@code end}) and log ends by partition.
     */
    record Offsets(
            Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end, Map<TopicPartition, Long> logEnd) {
        static final Offsets NONE = new Offsets(Map.of(), Map.of(), Map.of());
    }

    /** A health check must answer quickly: past this, for all requests together, what has not come is left out. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final String group;
    private final Supplier<Admin> admins;
    private Admin admin;

    GroupOffsets(LtmConfig config) {
        this(
                config.getString(LtmConfig.APPLICATION_ID),
                () -> Admin.create(TopicProvisioner.adminConfig(config, TIMEOUT)));
    }

    GroupOffsets(String group, Supplier<Admin> admins) {
        this.group = group;
        this.admins = admins;
    }

    /**
     * The offsets of those {@code partitions} the cluster answers for within {@link #TIMEOUT}; {@link Offsets#NONE}
     * when it does not say what the group committed.
     */
    synchronized Offsets of(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return Offsets.NONE;
        }
        if (admin == null) {
            admin = admins.get();
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            Map<TopicPartition, OffsetAndMetadata> groupOffsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> committed = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            for (TopicPartition tp : partitions) {
                latest.put(tp, OffsetSpec.latest());
                OffsetAndMetadata at = groupOffsets.get(tp);
                if (at == null) {
                    earliest.put(tp, OffsetSpec.earliest());
                } else {
                    committed.put(tp, at.offset());
                }
            }
            // the requests go out before any is waited for, so that together they stay within the deadline
            ListOffsetsOptions options = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
            ListOffsetsResult ends = admin.listOffsets(latest, options);
            ListOffsetsResult logEnds =
                    admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED));
            ListOffsetsResult starts = earliest.isEmpty() ? null : admin.listOffsets(earliest, options);
            Map<TopicPartition, Long> end = answered(ends, latest.keySet(), deadline);
            Map<TopicPartition, Long> logEnd = answered(logEnds, latest.keySet(), deadline);
            if (starts != null) {
                // never committed: the group starts where the log starts (auto.offset.reset=earliest)
                committed.putAll(answered(starts, earliest.keySet(), deadline));
            }
            return new Offsets(committed, end, logEnd);
        } catch (ExecutionException | TimeoutException e) {
            return Offsets.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Offsets.NONE;
        }
    }

    /** The offsets {@code result} has for {@code partitions} by {@code deadline}; a partition that failed is left out. */
    private static Map<TopicPartition, Long> answered(
            ListOffsetsResult result, Collection<TopicPartition> partitions, long deadline)
            throws InterruptedException {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            try {
                out.put(
                        tp,
                        result.partitionResult(tp)
                                .get(remainingMs(deadline), TimeUnit.MILLISECONDS)
                                .offset());
            } catch (ExecutionException | TimeoutException e) {
                // unknown topic, no leader, or no answer in time: the stuck check skips this partition this time
            }
        }
        return out;
    }

    private static long remainingMs(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(TIMEOUT);
        }
    }
}
