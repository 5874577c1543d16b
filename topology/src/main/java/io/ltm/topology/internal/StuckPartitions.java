package io.ltm.topology.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Input partitions that do not move: the committed offset has stayed the same for at least {@code stuckMs} while
 * the partition had records behind it (end offset above the committed one). Thread failures do not cover every
 * stall (a task can also hang, or fail in a way that is not counted), and lag alone is normal under load, so it is
 * the two together, for a while. Fed with samples (each {@code /health} call); a partition's clock starts at the
 * first sample that saw its current offset, and restarts when the offset moves or the lag is gone.
 *
 * <p>A partition whose stream thread failed is {@link #suspect suspected}: its clock starts at the next sample even
 * though its task is away. A thread that fails on every attempt holds its tasks only between the rebalance that
 * gives them to its replacement and the next failure (well under a second when a record fails at once), so samples
 * taken every second or so could miss that window for minutes and never start the clock.
 */
final class StuckPartitions {

    /** One partition that has not moved: its committed and end offsets and for how long it has been so. */
    record Stuck(TopicPartition partition, long committed, long end, long sinceMs) {
        @Override
        public String toString() {
            return partition + " at offset " + committed + " (end " + end + ", lag " + (end - committed) + ") for "
                    + sinceMs + " ms";
        }
    }

    private record Seen(long committed, long atMs) {}

    private final long stuckMs;
    private final Map<TopicPartition, Seen> seen = new HashMap<>();
    private final Set<TopicPartition> suspects = new HashSet<>();

    StuckPartitions(long stuckMs) {
        this.stuckMs = stuckMs;
    }

    /** The partitions with a running clock or suspected: ask for their offsets too while their tasks are away. */
    synchronized Set<TopicPartition> tracked() {
        Set<TopicPartition> all = new HashSet<>(seen.keySet());
        all.addAll(suspects);
        return all;
    }

    /**
     * The partitions of the tasks of a stream thread that just failed: at the next sample that has their offsets
     * they count as this instance's own, so their clock starts (or keeps running) while their tasks are away.
     */
    synchronized void suspect(Collection<TopicPartition> partitions) {
        suspects.addAll(partitions);
    }

    /**
     * Takes one sample ({@code committed} and {@code end} offsets; a partition missing from either is skipped) of the
     * partitions this instance reads ({@code active}) and of those it tracks, and answers those stuck at
     * {@code nowMs}, ordered by name. A partition keeps its clock while its task is away (a stream thread being
     * replaced, a rebalance): the committed offset is the group's, so while it is unchanged nobody moved it, and it
     * is still reported. One that is away and has moved (another instance has it) or caught up is forgotten.
     */
    synchronized List<Stuck> sample(
            Set<TopicPartition> active,
            Map<TopicPartition, Long> committed,
            Map<TopicPartition, Long> end,
            long nowMs) {
        List<Stuck> stuck = new ArrayList<>();
        for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
            TopicPartition tp = e.getKey();
            Long last = end.get(tp);
            if (last == null) {
                continue;
            }
            long at = e.getValue();
            Seen before = seen.get(tp);
            boolean moved = before == null || before.committed() != at;
            boolean suspected = suspects.remove(tp);
            boolean own = suspected || active.contains(tp);
            if (last <= at || !own && moved) {
                seen.remove(tp); // caught up, or moving elsewhere: a later stall counts from its own start
                continue;
            }
            if (moved) {
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
