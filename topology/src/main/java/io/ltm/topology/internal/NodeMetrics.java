package io.ltm.topology.internal;

import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Percentile;
import org.apache.kafka.common.metrics.stats.Percentiles;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The memory node's own sensors, registered in Kafka Streams' metrics (so JMX and the Prometheus endpoint
 * see them) in group {@value #GROUP}, one set per task: tokens absorbed, contractions and state bytes written
 * (sums: {@code -total} and {@code -rate} per second of the recorded values), query latency and dead letters
 * (counts of occurrences, with latency avg/max for queries), the novelty of absorbed events (avg, max, p50/p95/p99
 * over Kafka's sample window, and a count), and the lookups of the process's decoded memory parts (a count, the hits
 * and the hit ratio over the window, per part).
 */
final class NodeMetrics {

    static final String SCOPE = "ltm";
    static final String GROUP = "stream-" + SCOPE + "-metrics";

    final Sensor tokens;
    final Sensor contractions;
    final Sensor queries;
    final Sensor deadLetters;
    final Sensor stateBytes;
    final Sensor novelty;
    // lookups of the process's decoded memory parts (DecodedState) by this task, one sensor per part
    final Sensor bCache;
    final Sensor shortTermCache;
    final Sensor longTermCache;
    final Sensor termsCache;

    NodeMetrics(ProcessorContext<?, ?> context) {
        StreamsMetrics m = context.metrics();
        String task = context.taskId().toString();
        Map<String, String> tags = Map.of("task-id", task);
        tokens = sum(m, task, tags, "tokens-absorbed", "token vectors absorbed into memory");
        contractions =
                sum(m, task, tags, "contractions", "contractions of short-term tokens into the long-term memory");
        stateBytes = sum(m, task, tags, "state-bytes-written", "bytes of vectors written to the memory's stores");
        queries = m.addLatencyRateTotalSensor(SCOPE, "task-" + task, "query", Sensor.RecordingLevel.INFO);
        deadLetters = m.addRateTotalSensor(SCOPE, "task-" + task, "dead-letters", Sensor.RecordingLevel.INFO);
        novelty = m.addSensor("ltm-task-" + task + "-novelty", Sensor.RecordingLevel.INFO);
        novelty.add(
                new MetricName("novelty-avg", GROUP, "Mean novelty of the absorbed events (window)", tags), new Avg());
        novelty.add(
                new MetricName("novelty-max", GROUP, "Highest novelty of the absorbed events (window)", tags),
                new Max());
        novelty.add(new Percentiles(
                4000,
                2.0,
                Percentiles.BucketSizing.CONSTANT,
                new Percentile(new MetricName("novelty-p50", GROUP, "Median novelty (window)", tags), 50),
                new Percentile(new MetricName("novelty-p95", GROUP, "95th percentile of novelty (window)", tags), 95),
                new Percentile(new MetricName("novelty-p99", GROUP, "99th percentile of novelty (window)", tags), 99)));
        novelty.add(
                new MetricName("novelty-scored-total", GROUP, "Events scored for novelty", tags),
                new org.apache.kafka.common.metrics.stats.CumulativeCount());
        bCache = lookups(m, task, tags, "b-cache", "B of a key's stored version");
        shortTermCache = lookups(m, task, tags, "short-term-cache", "a key's short-term buffer");
        longTermCache = lookups(m, task, tags, "long-term-cache", "a key's long-term record and timeline");
        termsCache = lookups(m, task, tags, "terms-cache", "a key's term filter");
    }

    /**
     * Lookups of one of the process's caches of decoded memory parts ({@code ltm.ingest.cache.bytes}): each records 1
     * when it found the part decoded, 0 when the part was read from the store.
     */
    private static Sensor lookups(StreamsMetrics m, String task, Map<String, String> tags, String name, String what) {
        Sensor s = m.addSensor("ltm-task-" + task + "-" + name, Sensor.RecordingLevel.INFO);
        s.add(
                new MetricName(name + "-lookups-total", GROUP, "Lookups of " + what + " decoded", tags),
                new org.apache.kafka.common.metrics.stats.CumulativeCount());
        s.add(
                new MetricName(name + "-hits-total", GROUP, "Lookups that found " + what + " decoded", tags),
                new CumulativeSum());
        s.add(
                new MetricName(
                        name + "-hit-ratio",
                        GROUP,
                        "Share of the lookups that found " + what + " decoded (window)",
                        tags),
                new Avg());
        return s;
    }

    /** A sensor whose recorded values are summed (Kafka's rate-total sensors count recordings instead). */
    private static Sensor sum(StreamsMetrics m, String task, Map<String, String> tags, String name, String what) {
        Sensor s = m.addSensor("ltm-task-" + task + "-" + name, Sensor.RecordingLevel.INFO);
        s.add(new MetricName(name + "-total", GROUP, "Total " + what, tags), new CumulativeSum());
        s.add(new MetricName(name + "-rate", GROUP, "Per second: " + what, tags), new Rate());
        return s;
    }
}
