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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the node's consumer group stands, asked of the cluster: its committed offsets and the partitions' last
 * stable offsets (what a read_committed consumer can reach). Kafka Streams' own task metadata does not do: a task
 * that has not committed since it was assigned to this instance (one that fails on its first record, every time)
 * reports its committed offset as unknown. The admin client is created at the first call.
 */
public final class GroupOffsets implements AutoCloseable {

    /** Committed and end offsets by partition; for a partition the group never committed, its log start offset. */
    public record Offsets(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end) {
        public static final Offsets NONE = new Offsets(Map.of(), Map.of());
    }

    /** A health check must answer quickly: past this the stuck check is skipped for that call. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final LtmConfig config;
    private final String group;
    private Admin admin;

    public GroupOffsets(LtmConfig config) {
        this.config = config;
        this.group = config.getString(LtmConfig.APPLICATION_ID);
    }

    /** The offsets of {@code partitions}, or {@link Offsets#NONE} when the cluster does not answer in time. */
    public synchronized Offsets of(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return Offsets.NONE;
        }
        if (admin == null) {
            admin = Admin.create(TopicProvisioner.adminConfig(config, TIMEOUT));
        }
        try {
            Map<TopicPartition, Long> committed = new HashMap<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .entrySet()) {
                if (e.getValue() != null && partitions.contains(e.getKey())) {
                    committed.put(e.getKey(), e.getValue().offset());
                }
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            for (TopicPartition tp : partitions) {
                latest.put(tp, OffsetSpec.latest());
                if (!committed.containsKey(tp)) {
                    earliest.put(tp, OffsetSpec.earliest());
                }
            }
            Map<TopicPartition, Long> end = offsets(latest);
            // never committed: the group starts where the log starts (auto.offset.reset=earliest)
            committed.putAll(offsets(earliest));
            return new Offsets(committed, end);
        } catch (ExecutionException | TimeoutException e) {
            return Offsets.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Offsets.NONE;
        }
    }

    private Map<TopicPartition, Long> offsets(Map<TopicPartition, OffsetSpec> specs)
            throws ExecutionException, TimeoutException, InterruptedException {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (!specs.isEmpty()) {
            admin.listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> out.put(tp, info.offset()));
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(TIMEOUT);
        }
    }
}
