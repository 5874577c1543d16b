package io.ltm.topology.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * Input partitions that do not move: the committed offset has stayed the same for at least {@code stuckMs} while
 * the partition had records behind it (end offset above the committed one). Thread failures do not cover every
 * stall (a task can also hang, or fail in a way that is not counted), and lag alone is normal under load, so it is
 * the two together, for a while. Fed with samples (each {@code /health} call); a partition's clock starts at the
 * first sample that saw its current offset, and restarts when the offset moves or the lag is gone.
 */
public final class StuckPartitions {

    /** One partition that has not moved: its committed and end offsets and for how long it has been so. */
    public record Stuck(TopicPartition partition, long committed, long end, long sinceMs) {
        @Override
        public String toString() {
            return partition + " at offset " + committed + " (end " + end + ", lag " + (end - committed)
                    + ") for " + sinceMs + " ms";
        }
    }

    private record Seen(long committed, long atMs) {
    }

    private final long stuckMs;
    private final Map<TopicPartition, Seen> seen = new HashMap<>();

    public StuckPartitions(long stuckMs) {
        this.stuckMs = stuckMs;
    }

    /**
     * Takes one sample of the partitions this instance reads ({@code committed} and {@code end} offsets; a partition
     * missing from either is skipped) and answers those stuck at {@code nowMs}, ordered by name. A partition keeps
     * its clock while it is away (its tasks moving between instances or threads): the committed offset is the
     * group's, so if it is unchanged when the partition is back, nobody moved it meanwhile.
     */
    public synchronized List<Stuck> sample(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end,
                                           long nowMs) {
        List<Stuck> stuck = new ArrayList<>();
        for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
            TopicPartition tp = e.getKey();
            Long last = end.get(tp);
            if (last == null) {
                continue;
            }
            long at = e.getValue();
            if (last <= at) {
                seen.remove(tp); // caught up: a later stall counts from its own start
                continue;
            }
            Seen before = seen.get(tp);
            if (before == null || before.committed() != at) {
                seen.put(tp, new Seen(at, nowMs));
                continue;
            }
            long still = nowMs - before.atMs();
            if (still >= stuckMs) {
                stuck.add(new Stuck(tp, at, last, still));
            }
        }
        stuck.sort(Comparator.comparing(s -> s.partition().toString()));
        return stuck;
    }
}
