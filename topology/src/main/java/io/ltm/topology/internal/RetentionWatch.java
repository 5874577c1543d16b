package io.ltm.topology.internal;

import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.TopicProvisioner;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns when input records are older than their topic's retention.ms: such records are due for deletion, so
 * data may already have been lost before it was read (a backfill stamped with old event times on a CreateTime
 * topic, or a node or worker that fell that far behind). Counts them per topic (metric
 * {@value #METRIC} in group {@value #GROUP}, over JMX and on the node's Prometheus endpoint) and logs one line
 * at most every {@link #LOG_INTERVAL}, since a backlog of old records would otherwise log one line per record.
 */
public final class RetentionWatch implements AutoCloseable {

    static final String METRIC = "records-older-than-retention-total";
    static final String GROUP = "ltm-input-metrics";
    static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(RetentionWatch.class);

    private final Map<String, Long> retentionMs;
    private final Map<String, LongAdder> old = new ConcurrentHashMap<>();
    private final AtomicLong nextLogAt = new AtomicLong(Long.MIN_VALUE);
    private final LongSupplier clock;
    private final String who;
    private final Metrics metrics;

    /**
     * @param retentionMs retention.ms per topic; topics absent or with a negative value keep records for ever
     * @param who         in the log line and the metric's client-id tag: the node or worker instance
     */
    public RetentionWatch(Map<String, Long> retentionMs, String who, LongSupplier clock) {
        this.retentionMs = Map.copyOf(retentionMs);
        this.who = who;
        this.clock = clock;
        this.metrics = new Metrics(
                new MetricConfig(), java.util.List.of(new JmxReporter()), Time.SYSTEM, new KafkaMetricsContext("ltm"));
        for (String topic : this.retentionMs.keySet()) {
            LongAdder n = old.computeIfAbsent(topic, t -> new LongAdder());
            metrics.addMetric(
                    new MetricName(
                            METRIC,
                            GROUP,
                            "Input records read when already older than their " + "topic's retention.ms",
                            Map.of("topic", topic, "client-id", who)),
                    (Measurable) (c, now) -> n.sum());
        }
    }

    /** A watch that never warns (no retention known). */
    public static RetentionWatch none() {
        return new RetentionWatch(Map.of(), "none", System::currentTimeMillis);
    }

    /**
     * The retention of {@code topics} as the cluster has it; a watch that never warns when it cannot be read
     * (the warning is a help, not a reason to stop).
     */
    public static RetentionWatch describe(LtmConfig config, Collection<String> topics, String who) {
        Duration timeout = Duration.ofMillis(config.getLong(LtmConfig.STARTUP_TIMEOUT_MS));
        try (Admin admin = Admin.create(TopicProvisioner.adminConfig(config, timeout))) {
            Map<ConfigResource, Config> configs = admin.describeConfigs(topics.stream()
                            .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                            .toList())
                    .all()
                    .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            Map<String, Long> m = new java.util.HashMap<>();
            configs.forEach((r, c) -> {
                var e = c.get(TopicConfig.RETENTION_MS_CONFIG);
                if (e != null && e.value() != null) {
                    m.put(r.name(), Long.parseLong(e.value()));
                }
            });
            return new RetentionWatch(m, who, System::currentTimeMillis);
        } catch (Exception e) {
            LOG.warn(
                    "{}: cannot read the retention of {} ({}); old input records will not be reported",
                    who,
                    topics,
                    e.toString());
            return none();
        }
    }

    /** Records one input record's timestamp; counts and (rate-limited) logs it when it is past retention. */
    public void check(String topic, long timestamp) {
        Long retention = retentionMs.get(topic);
        if (retention == null || retention < 0 || timestamp < 0) {
            return;
        }
        long now = clock.getAsLong();
        long age = now - timestamp;
        if (age <= retention) {
            return;
        }
        old.get(topic).increment();
        long next = nextLogAt.get();
        if (now >= next && nextLogAt.compareAndSet(next, now + LOG_INTERVAL.toMillis())) {
            LOG.warn(
                    "{}: read a record of {} that is {} old, older than the topic's retention.ms ({}): records "
                            + "of that age are due for deletion, so some may have been deleted unread ({} such records "
                            + "so far; see README, Retention)",
                    who,
                    topic,
                    readable(age),
                    readable(retention),
                    old.get(topic).sum());
        }
    }

    /** Whole days when at least one, else the ISO duration: "1051 days", not "PT25224H". */
    static String readable(long millis) {
        Duration d = Duration.ofMillis(millis);
        return d.toDays() > 0 ? d.toDays() + " days" : d.toString();
    }

    /** Records seen older than their topic's retention, on {@code topic}. */
    public long oldRecords(String topic) {
        LongAdder n = old.get(topic);
        return n == null ? 0 : n.sum();
    }

    public Map<String, Long> retentionMs() {
        return retentionMs;
    }

    @Override
    public void close() {
        metrics.close();
    }
}
