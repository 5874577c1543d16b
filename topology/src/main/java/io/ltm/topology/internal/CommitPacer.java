package io.ltm.topology.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * Under exactly-once an answer is visible to read_committed clients only once the task commits, so after a query's
 * output the node asks Kafka Streams for a commit ({@code ltm.query.commit.gap.ms}) rather than waiting for
 * commit.interval.ms; but not more often than once per gap in the whole process: a commit holds the stream thread
 * for milliseconds, and one per query stalls a node that gets hundreds of queries a second. Output written within
 * the gap after the last request waits for the task's next punctuation, at most one gap later. One pacer per
 * process, shared by its processors; a negative gap never asks.
 */
public final class CommitPacer {

    private final long gapMs;
    private final AtomicLong lastRequestMs = new AtomicLong(Long.MIN_VALUE / 2);

    public CommitPacer(long gapMs) {
        this.gapMs = gapMs;
    }

    /** True (and the time noted) when no commit was asked for within the gap before {@code nowMs}. */
    private boolean mayRequest(long nowMs) {
        long last = lastRequestMs.get();
        return nowMs - last >= gapMs && lastRequestMs.compareAndSet(last, nowMs);
    }

    /** A processor's side of the pacer; {@link Task#written} after output that should be visible soon. */
    Task forTask(ProcessingContext context) {
        return new Task(context);
    }

    final class Task {
        private final ProcessingContext context;
        private boolean pending;

        private Task(ProcessingContext context) {
            this.context = context;
            if (gapMs > 0) {
                context.schedule(Duration.ofMillis(gapMs), PunctuationType.WALL_CLOCK_TIME, this::request);
            }
        }

        /** After output that read_committed clients wait for. */
        void written() {
            if (gapMs < 0) {
                return;
            }
            pending = true;
            request(context.currentSystemTimeMs());
        }

        private void request(long nowMs) {
            if (pending && mayRequest(nowMs)) {
                context.commit();
                pending = false;
            }
        }
    }
}
