package io.ltm.topology.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ltm.topology.internal.HangingTransactions.Open;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class HangingTransactionsTest {

    private static final long AFTER_MS = 30_000;
    private static final TopicPartition TOKENS_0 = new TopicPartition("ltm.tokens", 0);
    private static final TopicPartition TOKENS_1 = new TopicPartition("ltm.tokens", 1);
    private static final Open HANGING = new Open(TOKENS_0, 7, 235, 16, 0);

    /** A cluster whose open transactions and coordinator answers the test sets; it records the aborts asked of it. */
    private static final class FakeCluster implements HangingTransactions.Cluster {
        final List<Open> open = new ArrayList<>();
        final Map<Long, TransactionDescription> coordinator = new HashMap<>();
        final List<AbortTransactionSpec> aborts = new ArrayList<>();
        /** Runs between the coordinator's answer and the partition's second answer. */
        Runnable afterCoordinator = () -> {};

        int coordinatorQuestions;
        /** Thrown by every question while set: the cluster away. */
        RuntimeException failure;

        @Override
        public Collection<TopicPartition> watched() {
            return List.of(TOKENS_0, TOKENS_1);
        }

        @Override
        public List<Open> open(Collection<TopicPartition> partitions) {
            if (failure != null) {
                throw failure;
            }
            return open.stream().filter(o -> partitions.contains(o.partition())).toList();
        }

        @Override
        public Optional<TransactionDescription> transaction(long producerId) {
            coordinatorQuestions++;
            Optional<TransactionDescription> t = Optional.ofNullable(coordinator.get(producerId));
            afterCoordinator.run();
            return t;
        }

        @Override
        public void abort(AbortTransactionSpec spec) {
            aborts.add(spec);
            open.removeIf(o -> o.partition().equals(spec.topicPartition()) && o.producerId() == spec.producerId());
        }

        @Override
        public void close() {}
    }

    private static TransactionDescription coordinator(TransactionState state, int epoch, TopicPartition... in) {
        return new TransactionDescription(0, state, 7, epoch, 5_000, OptionalLong.empty(), Set.of(in));
    }

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final FakeCluster cluster = new FakeCluster();
    private final HangingTransactions hanging = new HangingTransactions(cluster, AFTER_MS, now::get, false);

    @Test
    void aTransactionItsCoordinatorForgotIsAbortedOnceSeenOpenForTheWholeWait() throws Exception {
        cluster.open.add(HANGING);
        cluster.coordinator.put(7L, coordinator(TransactionState.EMPTY, 16));
        assertEquals(List.of(), hanging.check());
        now.addAndGet(AFTER_MS - 1);
        assertEquals(List.of(), hanging.check(), "not before it was seen open for the whole wait");
        now.addAndGet(1);
        assertEquals(List.of(HANGING), hanging.check());
        assertEquals(List.of(new AbortTransactionSpec(TOKENS_0, 7, (short) 16, 0)), cluster.aborts);
    }

    @Test
    void aProducerHangingOnSeveralPartitionsIsAskedOfItsCoordinatorOncePerCheck() throws Exception {
        Open other = new Open(TOKENS_1, 7, 120, 16, 0);
        cluster.open.add(HANGING);
        cluster.open.add(other);
        cluster.coordinator.put(7L, coordinator(TransactionState.EMPTY, 16));
        hanging.check();
        now.addAndGet(AFTER_MS);
        assertEquals(List.of(HANGING, other), hanging.check());
        assertEquals(1, cluster.coordinatorQuestions);
    }

    @Test
    void aProducerTheCoordinatorDoesNotKnowAtAllHangsToo() throws Exception {
        cluster.open.add(HANGING);
        hanging.check();
        now.addAndGet(AFTER_MS);
        assertEquals(List.of(HANGING), hanging.check());
    }

    @Test
    void aTransactionInProgressAtItsCoordinatorIsLeftToIt() throws Exception {
        cluster.open.add(HANGING);
        for (TransactionState s : List.of(
                TransactionState.ONGOING,
                TransactionState.PREPARE_COMMIT,
                TransactionState.PREPARE_ABORT,
                TransactionState.PREPARE_EPOCH_FENCE)) {
            cluster.coordinator.put(7L, coordinator(s, 16, TOKENS_0));
            hanging.check();
            now.addAndGet(AFTER_MS);
            assertEquals(List.of(), hanging.check(), s.toString());
        }
        assertEquals(List.of(), cluster.aborts);
    }

    @Test
    void aTransactionInProgressWithoutThisPartitionDoesNotCoverIt() throws Exception {
        cluster.open.add(HANGING);
        cluster.coordinator.put(7L, coordinator(TransactionState.ONGOING, 17, TOKENS_1));
        hanging.check();
        now.addAndGet(AFTER_MS);
        assertEquals(List.of(HANGING), hanging.check());
    }

    @Test
    void aTransactionThatEndsBeforeThePartitionIsAskedAgainIsNotAborted() throws Exception {
        cluster.open.add(HANGING);
        cluster.coordinator.put(7L, coordinator(TransactionState.COMPLETE_COMMIT, 16));
        hanging.check();
        now.addAndGet(AFTER_MS);
        // its markers land between the coordinator's answer and the second look at the partition
        cluster.afterCoordinator = () -> cluster.open.clear();
        assertEquals(List.of(), hanging.check());
        assertEquals(List.of(), cluster.aborts);
    }

    @Test
    void theWaitStartsAgainForEveryNewTransactionOfTheSameProducer() throws Exception {
        cluster.open.add(HANGING);
        hanging.check();
        now.addAndGet(AFTER_MS / 2);
        cluster.open.set(0, new Open(TOKENS_0, 7, 240, 17, 0)); // the first ended; a new one began at 240
        hanging.check();
        now.addAndGet(AFTER_MS / 2);
        assertEquals(List.of(), hanging.check(), "the new transaction was seen open for half the wait only");
        now.addAndGet(AFTER_MS / 2);
        assertEquals(1, hanging.check().size());
    }

    @Test
    void aCheckThatCannotReachTheClusterFailsWithoutForgettingWhatItSaw() throws Exception {
        cluster.open.add(HANGING);
        hanging.check();
        now.addAndGet(AFTER_MS);
        cluster.failure = new TimeoutException("broker away");
        assertThrows(TimeoutException.class, hanging::check);
        cluster.failure = null;
        assertEquals(List.of(HANGING), hanging.check());
    }

    @Test
    void disabledItChecksNothing() throws Exception {
        assertEquals(List.of(), HangingTransactions.none().check());
    }
}
