package io.ltm.topology.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * Under exactly-once an answer is visible to read_committed clients only once the task commits, so after a query's
 * output the node asks Kafka Streams for a commit ({@code ltm.query.commit.gap.ms}) rather than waiting for
 * commit.interval.ms; but not more often than once per gap for all the pacer's processors in the process: a commit
 * holds the stream thread for milliseconds, and one per query stalls a node that gets hundreds of queries a second.
 * Output written within the gap after the last request waits for a punctuation of its task, which comes every fifth
 * of a gap (or when the thread's poll returns), so it is committed about a gap and a fifth later at most. A stream
 * thread commits all its tasks at once (one transaction), so output that another task of the same thread asked a
 * commit for after it was written asks for none of its own.
 * One pacer per kind of output in a process, shared by its processors (the node has one for answers and one for the
 * queries it writes again to their key's partition, whose answers follow them at once); a negative gap never asks.
 */
public final class CommitPacer {

    /** Punctuations per gap: how late, in fifths of a gap, output written within the gap may be committed. */
    private static final int CHECKS_PER_GAP = 5;

    private final long gapMs;
    private final AtomicLong lastRequestMs = new AtomicLong(Long.MIN_VALUE / 2);
    /** Per stream thread: outputs counted in the order written, and the count at the thread's last request. */
    private final ThreadLocal<long[]> threadOutputs = ThreadLocal.withInitial(() -> new long[2]);

    public CommitPacer(long gapMs) {
        this.gapMs = gapMs;
    }

    /** True (and the time noted) when no commit was asked for within the gap before {@code nowMs}. */
    private boolean mayRequest(long nowMs) {
        long last = lastRequestMs.get();
        return nowMs - last >= gapMs && lastRequestMs.compareAndSet(last, nowMs);
    }

    /** A processor's side of the pacer (call from its init); {@link Task#written} after output to be seen soon. */
    public Task forTask(ProcessingContext context) {
        return new Task(context);
    }

    public final class Task {
        private final ProcessingContext context;
        /** This thread's output count at this task's latest output not yet asked a commit for; 0 when none. */
        private long pending;

        private Task(ProcessingContext context) {
            this.context = context;
            if (gapMs > 0) {
                context.schedule(
                        Duration.ofMillis(Math.max(1, gapMs / CHECKS_PER_GAP)),
                        PunctuationType.WALL_CLOCK_TIME,
                        this::request);
            }
        }

        /** After output that read_committed clients wait for. */
        public void written() {
            if (gapMs < 0) {
                return;
            }
            pending = ++threadOutputs.get()[0];
            request(context.currentSystemTimeMs());
        }

        private void request(long nowMs) {
            if (pending == 0) {
                return;
            }
            long[] thread = threadOutputs.get();
            if (thread[1] >= pending) {
                pending = 0; // the thread asked for a commit after this output: that commit takes it
            } else if (mayRequest(nowMs)) {
                context.commit();
                thread[1] = thread[0];
                pending = 0;
            }
        }
    }
}
