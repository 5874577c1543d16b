package io.ltm.topology.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.streams.KafkaStreams;

import io.ltm.topology.api.LtmConfig;

/**
 * What {@code /health} says. The Streams state alone is not enough: a stream thread that fails is replaced, so the
 * state stays RUNNING while a thread fails again and again on the same record or on an unreachable dependency and
 * its partitions never move. So failures are counted in a sliding window, and from the configured count on the
 * node is DEGRADED, with the last failure as the reason.
 */
public final class NodeHealth {

    /** The answer: {@code ok} selects 200 or 503; {@code body} is the JSON document. */
    public record Report(boolean ok, Map<String, Object> body) {
    }

    private final long windowMs;
    private final int maxFailures;
    private final LongSupplier clock;
    private final Deque<Long> failures = new ArrayDeque<>();
    private String lastFailure;

    public NodeHealth(long windowMs, int maxFailures, LongSupplier clock) {
        this.windowMs = windowMs;
        this.maxFailures = maxFailures;
        this.clock = clock;
    }

    public static NodeHealth of(LtmConfig config) {
        return new NodeHealth(config.getLong(LtmConfig.HEALTH_WINDOW_MS),
                config.getInt(LtmConfig.HEALTH_MAX_THREAD_FAILURES), System::currentTimeMillis);
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

    public synchronized Report report(KafkaStreams.State state) {
        prune();
        Map<String, Object> body = new LinkedHashMap<>();
        boolean running = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
        boolean degraded = failures.size() >= maxFailures;
        body.put("state", degraded ? "DEGRADED" : state.toString());
        body.put("streamsState", state.toString());
        body.put("threadFailures", failures.size());
        body.put("windowMs", windowMs);
        if (degraded) {
            body.put("reason", failures.size() + " stream-thread failures in the last " + windowMs
                    + " ms (each thread was replaced; its partitions may not move). Last: " + lastFailure);
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
