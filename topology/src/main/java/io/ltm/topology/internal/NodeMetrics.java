package io.ltm.topology.internal;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The memory node's own sensors, registered in Kafka Streams' metrics (so JMX and the Prometheus endpoint
 * see them) under scope "ltm", one entity per task: tokens absorbed, contractions, query latency,
 * dead letters, state bytes written.
 */
final class NodeMetrics {

    static final String SCOPE = "ltm";

    final Sensor tokens;
    final Sensor contractions;
    final Sensor queries;
    final Sensor deadLetters;
    final Sensor stateBytes;

    NodeMetrics(ProcessorContext<?, ?> context) {
        StreamsMetrics m = context.metrics();
        String entity = "task-" + context.taskId();
        tokens = m.addRateTotalSensor(SCOPE, entity, "tokens-absorbed", Sensor.RecordingLevel.INFO);
        contractions = m.addRateTotalSensor(SCOPE, entity, "contractions", Sensor.RecordingLevel.INFO);
        queries = m.addLatencyRateTotalSensor(SCOPE, entity, "query", Sensor.RecordingLevel.INFO);
        deadLetters = m.addRateTotalSensor(SCOPE, entity, "dead-letters", Sensor.RecordingLevel.INFO);
        stateBytes = m.addRateTotalSensor(SCOPE, entity, "state-bytes-written", Sensor.RecordingLevel.INFO);
    }
}
