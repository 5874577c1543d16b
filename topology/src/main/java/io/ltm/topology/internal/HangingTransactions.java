package io.ltm.topology.internal;

import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.TopicProvisioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts hanging transactions on the partitions a node or worker reads and writes: a transaction still open
 * on a partition while its transaction coordinator no longer has it in progress. The coordinator would end an open
 * transaction itself (commit, abort, or abort after {@code transaction.timeout.ms}) by writing markers to its
 * partitions; one it has forgotten is never ended, and every {@code read_committed} reader of the partition stops at
 * its first record for good, as do the offsets of a group whose offset commit was in it. We saw one left by a
 * producer writing while its (single) broker shut down for a clean restart, on Kafka 4.3.1 (see the README's
 * "Limitations"). This does what {@code kafka-transactions.sh find-hanging} and {@code abort} do by hand.
 *
 * <p>A transaction counts as hanging only if this instance has seen it open, from the same start offset, for at least
 * {@link LtmConfig#HANGING_TRANSACTION_ABORT_MS}; the coordinator then has no transaction of that producer in
 * progress with this partition in it (neither ongoing nor being completed); and the partition, asked again after the
 * coordinator, still has it open. A live transaction is in progress at its coordinator from before its first write
 * until its markers are written, so none passes all three. The markers are written as the coordinator would: an
 * abort with the open transaction's producer id and epoch.
 *
 * <p>Watched: every partition of the configured {@code ltm} topics and of the node's internal topics (names starting
 * with {@code application.id-}), and the partition of {@code __consumer_offsets} that holds the group's offsets.
 * Failures (a broker away, missing ACLs: finding needs Read on the topics and Describe on the transactional ids,
 * aborting needs ClusterAction) are logged and retried at the next check; they never stop the node or worker.
 */
public final class HangingTransactions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);

    /** Coordinator states of a transaction that the coordinator will still end with markers. */
    private static final Set<TransactionState> IN_PROGRESS = EnumSet.of(
            TransactionState.ONGOING,
            TransactionState.PREPARE_COMMIT,
            TransactionState.PREPARE_ABORT,
            TransactionState.PREPARE_EPOCH_FENCE);

    /** A transaction open on a partition: its producer and where it began; the epochs are what an abort must carry. */
    record Open(TopicPartition partition, long producerId, long startOffset, int producerEpoch, int coordinatorEpoch) {

        private Seen seen() {
            return new Seen(partition, producerId, startOffset);
        }

        private AbortTransactionSpec abort() {
            return new AbortTransactionSpec(partition, producerId, (short) producerEpoch, coordinatorEpoch);
        }
    }

    /** The identity of an open transaction over successive checks. */
    private record Seen(TopicPartition partition, long producerId, long startOffset) {}

    /** What the check asks of the cluster; {@link AdminCluster} in production, fakes in tests. */
    interface Cluster extends AutoCloseable {
        /** The partitions to watch now (topics appear, the node's internal ones at its first start). */
        Collection<TopicPartition> watched() throws Exception;

        /** The transactions open on {@code partitions}; a partition the cluster cannot answer for is left out. */
        List<Open> open(Collection<TopicPartition> partitions) throws Exception;

        /** The coordinator's transaction of {@code producerId}, if it knows one. */
        Optional<TransactionDescription> transaction(long producerId) throws Exception;

        void abort(AbortTransactionSpec spec) throws Exception;

        @Override
        void close();
    }

    private final Cluster cluster;
    private final long abortAfterMs;
    private final LongSupplier clock;
    private final Map<Seen, Long> firstSeen = new HashMap<>();
    private final AtomicLong aborted = new AtomicLong();
    private final ScheduledExecutorService timer;
    private String lastFailure;

    HangingTransactions(Cluster cluster, long abortAfterMs, LongSupplier clock, boolean scheduled) {
        this.cluster = cluster;
        this.abortAfterMs = abortAfterMs;
        this.clock = clock;
        if (scheduled) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ltm-hanging-transactions");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, abortAfterMs / 2);
            timer.scheduleWithFixedDelay(this::checkQuietly, every, every, TimeUnit.MILLISECONDS);
        } else {
            timer = null;
        }
    }

    /**
     * Starts checking, every half of {@link LtmConfig#HANGING_TRANSACTION_ABORT_MS} on a daemon thread, the partitions
     * this node or worker uses, whose group is {@code group}; does nothing when the key is 0.
     */
    public static HangingTransactions start(LtmConfig config, String group) {
        long after = config.getLong(LtmConfig.HANGING_TRANSACTION_ABORT_MS);
        if (after == 0) {
            return none();
        }
        Duration timeout = Duration.ofMillis(Math.max(1, after / 2));
        return new HangingTransactions(
                new AdminCluster(
                        () -> Admin.create(TopicProvisioner.adminConfig(config, timeout)),
                        Set.copyOf(config.topicPartitions().keySet()),
                        config.getString(LtmConfig.APPLICATION_ID) + "-",
                        group,
                        timeout),
                after,
                System::currentTimeMillis,
                true);
    }

    /** Checks nothing (no cluster: mock clients in tests). */
    public static HangingTransactions none() {
        return new HangingTransactions(null, 0, System::currentTimeMillis, false);
    }

    private void checkQuietly() {
        try {
            check();
            lastFailure = null;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            // logged once per kind of failure: a cluster without the ACLs would otherwise log at every check
            String failure = e.toString();
            if (!failure.equals(lastFailure)) {
                LOG.warn("looking for hanging transactions failed; trying again every {} ms", abortAfterMs / 2, e);
                lastFailure = failure;
            }
        }
    }

    /** One check: the transactions aborted in it. */
    synchronized List<Open> check() throws Exception {
        if (cluster == null) {
            return List.of();
        }
        long now = clock.getAsLong();
        List<Open> open = cluster.open(cluster.watched());
        Set<Seen> current = new HashSet<>();
        List<Open> due = new ArrayList<>();
        for (Open o : open) {
            Seen s = o.seen();
            current.add(s);
            long since = firstSeen.computeIfAbsent(s, k -> now);
            if (now - since >= abortAfterMs) {
                due.add(o);
            }
        }
        firstSeen.keySet().retainAll(current);
        List<Open> aborted = new ArrayList<>();
        // a producer's transaction hangs on all its partitions at once: its coordinator is asked once per check
        Map<Long, Optional<TransactionDescription>> coordinators = new HashMap<>();
        for (Open o : due) {
            if (inProgress(o, coordinators) || !stillOpen(o)) {
                continue;
            }
            LOG.warn(
                    "aborting a hanging transaction on {}: producer id {} epoch {}, open from offset {} for at least"
                            + " {} ms while its coordinator has no transaction of that producer in progress with this"
                            + " partition; read_committed readers of the partition wait at that offset until it ends",
                    o.partition(),
                    o.producerId(),
                    o.producerEpoch(),
                    o.startOffset(),
                    now - firstSeen.get(o.seen()));
            cluster.abort(o.abort());
            this.aborted.incrementAndGet();
            firstSeen.remove(o.seen());
            aborted.add(o);
        }
        return aborted;
    }

    private boolean inProgress(Open o, Map<Long, Optional<TransactionDescription>> coordinators) throws Exception {
        Optional<TransactionDescription> t = coordinators.get(o.producerId());
        if (t == null) {
            t = cluster.transaction(o.producerId());
            coordinators.put(o.producerId(), t);
        }
        return t.isPresent()
                && IN_PROGRESS.contains(t.get().state())
                && t.get().topicPartitions().contains(o.partition());
    }

    /** Asked after the coordinator: a transaction that ended meanwhile is no longer open from the same offset. */
    private boolean stillOpen(Open o) throws Exception {
        return cluster.open(List.of(o.partition())).stream()
                .anyMatch(now -> now.seen().equals(o.seen()));
    }

    /** How many hanging transactions this instance has aborted. */
    public long aborted() {
        return aborted.get();
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(abortAfterMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The cluster through an admin client, created at the first check. */
    static final class AdminCluster implements Cluster {

        private final Supplier<Admin> admins;
        private final Set<String> topics;
        private final String internalPrefix;
        private final String group;
        private final Duration timeout;
        private Admin admin;

        AdminCluster(
                Supplier<Admin> admins, Set<String> topics, String internalPrefix, String group, Duration timeout) {
            this.admins = admins;
            this.topics = topics;
            this.internalPrefix = internalPrefix;
            this.group = group;
            this.timeout = timeout;
        }

        private synchronized Admin admin() {
            if (admin == null) {
                admin = admins.get();
            }
            return admin;
        }

        private <T> T get(KafkaFuture<T> f) throws Exception {
            try {
                return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }

        @Override
        public Collection<TopicPartition> watched() throws Exception {
            Set<String> names = new HashSet<>();
            for (String t : get(admin().listTopics().names())) {
                if (topics.contains(t) || t.startsWith(internalPrefix)) {
                    names.add(t);
                }
            }
            names.add(Topic.GROUP_METADATA_TOPIC_NAME);
            List<TopicPartition> out = new ArrayList<>();
            Map<String, KafkaFuture<TopicDescription>> described =
                    admin().describeTopics(names).topicNameValues();
            for (String name : names) {
                TopicDescription d;
                try {
                    d = get(described.get(name));
                } catch (UnknownTopicOrPartitionException e) {
                    continue; // no group has committed offsets yet, or the topic was deleted meanwhile
                }
                int n = d.partitions().size();
                if (d.name().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                    // the group coordinator's placement of a group's offsets
                    out.add(new TopicPartition(d.name(), Utils.abs(group.hashCode()) % n));
                } else {
                    for (int p = 0; p < n; p++) {
                        out.add(new TopicPartition(d.name(), p));
                    }
                }
            }
            return out;
        }

        @Override
        public List<Open> open(Collection<TopicPartition> partitions) throws Exception {
            DescribeProducersResult result = admin().describeProducers(partitions);
            List<Open> out = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                DescribeProducersResult.PartitionProducerState state;
                try {
                    state = get(result.partitionResult(tp));
                } catch (TimeoutException | ApiException e) {
                    continue; // no leader now, or the topic is gone: checked again next time
                }
                for (ProducerState p : state.activeProducers()) {
                    if (p.currentTransactionStartOffset().isPresent()) {
                        out.add(new Open(
                                tp,
                                p.producerId(),
                                p.currentTransactionStartOffset().getAsLong(),
                                p.producerEpoch(),
                                p.coordinatorEpoch().orElse(0)));
                    }
                }
            }
            return out;
        }

        @Override
        public Optional<TransactionDescription> transaction(long producerId) throws Exception {
            Collection<TransactionListing> listed =
                    get(admin().listTransactions(new ListTransactionsOptions().filterProducerIds(Set.of(producerId)))
                            .all());
            for (TransactionListing l : listed) {
                if (l.producerId() == producerId) {
                    String id = l.transactionalId();
                    return Optional.of(
                            get(admin().describeTransactions(List.of(id)).description(id)));
                }
            }
            return Optional.empty();
        }

        @Override
        public void abort(AbortTransactionSpec spec) throws Exception {
            get(admin().abortTransaction(spec).all());
        }

        @Override
        public synchronized void close() {
            if (admin != null) {
                admin.close(timeout);
            }
        }
    }
}
