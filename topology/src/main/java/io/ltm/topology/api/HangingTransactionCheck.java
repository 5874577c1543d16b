package io.ltm.topology.api;

import io.ltm.topology.internal.HangingTransactions;

/**
 * The check {@link MemoryNode} and the workers run against hanging transactions (a transaction open on a partition while
 * its coordinator no longer has it in progress, which holds every read_committed reader there for good), for an
 * application that adds the memory to its own Kafka Streams topology ({@link MemoryTopology#addTo}): every half of
 * {@link LtmConfig#HANGING_TRANSACTION_ABORT_MS} on a daemon thread, over the configured ltm topics, the internal
 * topics of {@code application.id} and the offsets of {@code group}; aborts what has hung for that long.
 */
public final class HangingTransactionCheck implements AutoCloseable {

    private final HangingTransactions check;

    private HangingTransactionCheck(HangingTransactions check) {
        this.check = check;
    }

    /** Starts checking; {@code group} is the consumer group whose offsets are watched (a Streams app's application.id). */
    public static HangingTransactionCheck start(LtmConfig config, String group) {
        return new HangingTransactionCheck(HangingTransactions.start(config, group));
    }

    /** How many hanging transactions this check has aborted. */
    public long aborted() {
        return check.aborted();
    }

    @Override
    public void close() {
        check.close();
    }
}
