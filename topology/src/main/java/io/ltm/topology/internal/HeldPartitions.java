package io.ltm.topology.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Input partitions held behind an open transaction: the last stable offset (as far as a read_committed consumer, the
 * node's, can read) stays below the log end, unchanged, for at least {@code heldMs}. A transaction normally ends within
 * its producer's {@code transaction.timeout.ms}, when the coordinator aborts it; one that holds a partition for minutes
 * is either a producer's very long transaction or one the coordinator no longer knows (a hanging transaction, which
 * only an administrator can abort). Either way the records behind it do not reach the node, and {@link StuckPartitions}
 * cannot see it: nothing waits between the committed offset and the last stable offset. Fed with samples (each
 * {@code /health} call); a partition's clock starts at the first sample that saw its current last stable offset.
 */
final class HeldPartitions {

    /** One held partition: its last stable offset, its log end and for how long it has been so. */
    record Held(TopicPartition partition, long stable, long logEnd, long sinceMs) {
        @Override
        public String toString() {
            return partition + " at offset " + stable + " (log end " + logEnd + ") for " + sinceMs + " ms";
        }
    }

    private record Seen(long stable, long atMs) {}

    private final long heldMs;
    private final Map<TopicPartition, Seen> seen = new HashMap<>();

    HeldPartitions(long heldMs) {
        this.heldMs = heldMs;
    }

    /**
     * Takes one sample of the partitions this instance reads ({@code active}): their last stable offsets and log ends
     * (a partition missing from either keeps its clock and is skipped this time). Answers those held at
     * {@code nowMs}, ordered by name; a partition no longer active is forgotten.
     */
    synchronized List<Held> sample(
            Set<TopicPartition> active,
            Map<TopicPartition, Long> stable,
            Map<TopicPartition, Long> logEnd,
            long nowMs) {
        seen.keySet().retainAll(active);
        List<Held> held = new ArrayList<>();
        for (TopicPartition tp : active) {
            Long at = stable.get(tp);
            Long end = logEnd.get(tp);
            if (at == null || end == null) {
                continue;
            }
            if (at >= end) {
                seen.remove(tp);
                continue;
            }
            Seen before = seen.get(tp);
            if (before == null || before.stable() != at) {
                seen.put(tp, new Seen(at, nowMs));
                continue;
            }
            long still = nowMs - before.atMs();
            if (still >= heldMs) {
                held.add(new Held(tp, at, end, still));
            }
        }
        held.sort(Comparator.comparing(h -> h.partition().toString()));
        return held;
    }
}
