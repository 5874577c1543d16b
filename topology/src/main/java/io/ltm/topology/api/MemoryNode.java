package io.ltm.topology.api;

import io.ltm.model.encoder.TextEncoder;
import io.ltm.topology.internal.HangingTransactions;
import io.ltm.topology.internal.HttpEndpoint;
import io.ltm.topology.internal.KeyInspector;
import io.ltm.topology.internal.LocalMemories;
import io.ltm.topology.internal.NodeHealth;
import io.ltm.topology.internal.PicturePages;
import io.ltm.topology.internal.RetentionWatch;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running memory node: the Kafka Streams application built by {@link MemoryTopology}, its metrics bound to a
 * Prometheus registry, and (when {@link LtmConfig#HTTP_PORT} is not -1) the HTTP endpoint for interactive
 * queries and metrics.
 */
public final class MemoryNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryNode.class);

    private final KafkaStreams streams;
    private final PrometheusMeterRegistry registry;
    private final KafkaStreamsMetrics streamsMetrics;
    private final HttpEndpoint http;
    private final RetentionWatch oldRecords;
    private final NodeHealth health;
    private final HangingTransactions hanging;

    private MemoryNode(
            KafkaStreams streams,
            PrometheusMeterRegistry registry,
            KafkaStreamsMetrics streamsMetrics,
            HttpEndpoint http,
            RetentionWatch oldRecords,
            NodeHealth health,
            HangingTransactions hanging) {
        this.streams = streams;
        this.hanging = hanging;
        this.health = health;
        this.registry = registry;
        this.streamsMetrics = streamsMetrics;
        this.http = http;
        this.oldRecords = oldRecords;
    }

    /** Builds and starts the node; {@code encoder} (may be null) encodes text queries. */
    public static MemoryNode start(LtmConfig config, TextEncoder encoder) {
        return start(config, encoder, RetentionWatch.none());
    }

    /**
     * As {@link #start(LtmConfig, TextEncoder)}, with the retention of the input topics (for example from
     * {@link TopicProvisioner#ensure}): input records older than their topic's retention are counted (metric
     * {@code ltm_input_records_older_than_retention_total} on /metrics) and logged, rate-limited.
     */
    public static MemoryNode start(LtmConfig config, TextEncoder encoder, Map<String, Long> inputRetentionMs) {
        return start(
                config,
                encoder,
                new RetentionWatch(
                        inputRetentionMs, config.getString(LtmConfig.APPLICATION_ID), System::currentTimeMillis));
    }

    private static MemoryNode start(LtmConfig config, TextEncoder encoder, RetentionWatch oldRecords) {
        Topology topology = MemoryTopology.build(config, encoder, oldRecords);
        KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
        // Bad records never reach here (they go to the DLQ); what does is infrastructure (a registry or broker
        // outage). Exactly-once rolls the thread's open transaction back, so a fresh thread can retry safely.
        // Failures are counted so that /health reports a thread that keeps failing.
        NodeHealth health = NodeHealth.of(config);
        TopologyDescription description = topology.describe();
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; replacing it", e);
            // the handler runs on the failing thread, whose metadata lists its tasks, unless the task failed while
            // being taken up: then the exception's task id names it
            Set<TopicPartition> held = new HashSet<>(
                    NodeHealth.partitionsOf(streams, Thread.currentThread().getName()));
            held.addAll(NodeHealth.partitionsOf(description, config.getString(LtmConfig.APPLICATION_ID), e));
            health.threadFailed(e, held);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        for (String topic : oldRecords.retentionMs().keySet()) {
            FunctionCounter.builder("ltm.input.records.older.than.retention", oldRecords, w -> w.oldRecords(topic))
                    .description("Input records read when already older than their topic's retention.ms")
                    .tag("topic", topic)
                    .register(registry);
        }
        KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams);
        // Our sensors are created with the tasks; the binder only re-scans every 60 s, so bind once RUNNING.
        AtomicBoolean bound = new AtomicBoolean();
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING && bound.compareAndSet(false, true)) {
                metrics.bindTo(registry);
            }
        });
        HttpEndpoint http = null;
        int port = config.getInt(LtmConfig.HTTP_PORT);
        try {
            if (port >= 0) {
                http = new HttpEndpoint(
                        streams,
                        config.keyPlacement(),
                        config.getString(LtmConfig.HTTP_HOST),
                        port,
                        registry::scrape,
                        health,
                        new PicturePages(new LocalMemories(streams, config), config.memoryConfig(), encoder));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the HTTP endpoint on port " + port, e);
        }
        streams.start();
        // Kafka Streams does not end a transaction its coordinator forgot; one on an input, changelog or output
        // partition would stop that partition's task (or its readers) for good
        HangingTransactions hanging = HangingTransactions.start(config, config.getString(LtmConfig.APPLICATION_ID));
        FunctionCounter.builder("ltm.hanging.transactions.aborted", hanging, HangingTransactions::aborted)
                .description("Hanging transactions this node found on the partitions it uses and aborted")
                .register(registry);
        return new MemoryNode(streams, registry, metrics, http, oldRecords, health, hanging);
    }

    /** Waits until the node is RUNNING (all tasks assigned and restored). */
    public void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("memory node stopped: " + streams.state());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("memory node not RUNNING after " + timeout + ": " + streams.state());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** Port of the HTTP endpoint, or -1 when it is disabled. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /**
     * Statistics and timeline of a key held by this instance (tokens absorbed, contractions, short-term tokens,
     * long-term bytes, timeline knots, source segments); the HTTP endpoint serves the same as JSON.
     */
    public java.util.Map<String, Object> describe(String key) {
        return KeyInspector.describe(streams, key, "local");
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        // leave the group at once, static member or not: the others take the tasks over now (from their standby
        // replicas) instead of after session.timeout.ms
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        streamsMetrics.close();
        registry.close();
        oldRecords.close();
        health.close();
        hanging.close();
    }

    /** Input records of {@code topic} read when already older than the topic's retention.ms. */
    public long oldInputRecords(String topic) {
        return oldRecords.oldRecords(topic);
    }
}
