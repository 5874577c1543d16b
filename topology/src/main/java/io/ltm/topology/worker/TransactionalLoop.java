package io.ltm.topology.worker;

import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.internal.DeadLetters;
import io.ltm.topology.internal.HangingTransactions;
import io.ltm.topology.internal.RetentionWatch;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once read-process-write for the workers: poll a batch, turn it into output records, and send them
 * with the consumed offsets in one transaction. A batch that fails is aborted and re-read from the last
 * committed offsets (after a growing wait), so nothing is lost or duplicated; an output too large to write is
 * found by writing the batch record by record, and its input is dead-lettered; a restarted worker with the same instance id fences
 * its predecessor's open transaction at once. Members of one consumer group share the partitions.
 *
 * <p>A producer that cannot even abort (the broker ended its transaction meanwhile, for example a transaction that
 * outlived {@code transaction.timeout.ms} across a broker restart: Kafka's producer then fails for good with
 * {@code InvalidTxnStateException}) is closed and replaced by a new one with the same transactional id, whose
 * {@code initTransactions} aborts whatever is still open; without that the worker would fail every batch from then on
 * and its partitions would stall until the process is restarted.
 *
 * <p>A fenced producer ({@code ProducerFencedException}) does not by itself mean that a newer instance took over: the
 * transaction coordinator also fences a transaction it aborted because it outlived {@code transaction.timeout.ms}
 * (across a broker restart, say), and its answer to the late commit is then the same. As Kafka Streams does, the group
 * decides: the producer is replaced and the consumer rejoins the group before the batch is read again; a newer member
 * with the same instance id makes that rejoin fail ({@code FencedInstanceIdException}), and only then does the loop stop
 * as fenced. Offsets are committed with the consumer's group metadata, so a fenced member cannot commit in between.
 *
 * <p>A transaction that its coordinator no longer has in progress (a hanging one, left by a broker's restart) is never
 * ended by Kafka, and one that holds this worker's output, input or group offsets would stop it or its readers for
 * good: {@link HangingTransactions} runs beside the loop and aborts it.
 */
public abstract class TransactionalLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalLoop.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Supplier<Producer<String, byte[]>> producers;
    private Producer<String, byte[]> producer; // null after one was given up, until the next transaction
    private final Duration poll;
    private final long maxBackoffMs;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile boolean fenced;
    private final String role;
    private final Serde<DeadLetter> deadLetterSerde;
    private final DeadLetters deadLetters;
    private final String dlqTopic;
    private final RetentionWatch oldRecords;
    private final HangingTransactions hanging;
    private Thread thread;

    /** Clients from {@link #consumer} and {@link #producer}, or mock clients in tests. */
    protected TransactionalLoop(
            LtmConfig config,
            String role,
            List<String> inputTopics,
            Consumer<byte[], byte[]> consumer,
            Supplier<Producer<String, byte[]>> producers) {
        this.role = role;
        this.deadLetterSerde = LtmSerdes.avro(DeadLetter.class, config.serdeConfig());
        this.deadLetters = DeadLetters.of(config);
        this.dlqTopic = config.getString(LtmConfig.TOPIC_DLQ);
        this.consumer = consumer;
        this.producers = producers;
        this.poll = Duration.ofMillis(config.getLong(LtmConfig.WORKER_POLL_MS));
        this.maxBackoffMs = config.getLong(LtmConfig.WORKER_RETRY_BACKOFF_MAX_MS);
        this.producer = initialized(); // fails fast: a broker or an id that cannot be used now
        // mock clients in tests have no cluster whose retention could be read
        boolean cluster = consumer instanceof KafkaConsumer<byte[], byte[]>;
        this.oldRecords =
                cluster ? RetentionWatch.describe(config, inputTopics, group(config, role)) : RetentionWatch.none();
        // a hanging transaction on the output, the input or the group's offsets would stop this worker or its readers
        this.hanging = cluster ? HangingTransactions.start(config, group(config, role)) : HangingTransactions.none();
        consumer.subscribe(inputTopics, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assigned(partitions);
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                revoked(partitions);
            }
        });
    }

    /** Called on the loop's thread (inside poll) when the group gives this worker input partitions. */
    protected void assigned(Collection<TopicPartition> partitions) {}

    /** Called on the loop's thread (inside poll) when input partitions are taken away or lost. */
    protected void revoked(Collection<TopicPartition> partitions) {}

    private static String group(LtmConfig config, String role) {
        return config.getString(LtmConfig.APPLICATION_ID) + "-" + role;
    }

    /** The transactional worker's consumer: group {@code application.id-role}, static membership, read_committed. */
    protected static KafkaConsumer<byte[], byte[]> consumer(LtmConfig config, String role, String instanceId) {
        String group = group(config, role);
        Properties c = new Properties();
        c.putAll(config.clientOverrides(ConsumerConfig.configNames()));
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        // static membership: a restarted instance takes its partitions back at once instead of waiting for the
        // dead member's session to time out (the transactional id below fences its open transaction)
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, group + "-" + instanceId);
        // an instance that is not restarted keeps its partitions for the session: the node's short one, not 45 s
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, config.getInt(LtmConfig.SESSION_TIMEOUT_MS));
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, config.heartbeatIntervalMs());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.getInt(LtmConfig.WORKER_MAX_BATCH_RECORDS));
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The worker's transactional producer; the instance id fences a predecessor with the same id. */
    protected static KafkaProducer<String, byte[]> producer(LtmConfig config, String role, String instanceId) {
        Properties p = new Properties();
        p.putAll(config.clientOverrides(ProducerConfig.configNames()));
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group(config, role) + "-" + instanceId);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // another instance taking the partitions over waits for this producer's open transaction to be aborted
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, config.getInt(LtmConfig.TRANSACTION_TIMEOUT_MS));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LtmConfig.MAX_STATE_BYTES);
        // tokens, queries and reads go to their key's partition, where the node holds its memory
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, config.keyPlacement().getClass());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** The dead-letter record of an input record this worker cannot use, with the reason. */
    protected final ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<byte[], byte[]> r, Exception e) {
        return new ProducerRecord<>(
                dlqTopic,
                deadLetters.recordKey(r.key()),
                deadLetterSerde.serializer().serialize(dlqTopic, deadLetters.of(r, e, "ltm-" + role + "-worker")));
    }

    /**
     * Output records (already serialised) for one polled batch. Must not have side effects elsewhere; what it keeps
     * for later output takes effect in {@link #committed()} and is dropped in {@link #aborted()}.
     */
    protected abstract List<ProducerRecord<String, byte[]>> process(ConsumerRecords<byte[], byte[]> batch);

    /**
     * Output owed without new input (held back by the worker and now due, or all of it when {@code closing}),
     * written in a transaction of its own when a poll brings nothing and before the loop ends.
     */
    protected List<ProducerRecord<String, byte[]>> due(boolean closing) {
        return List.of();
    }

    /** Called on the loop's thread when a poll brought nothing: time for upkeep that must not delay a batch. */
    protected void idle() {}

    /** The transaction of the last {@link #process} or {@link #due} output committed. */
    protected void committed() {}

    /** The transaction of the last {@link #process} or {@link #due} output was aborted, or never began. */
    protected void aborted() {}

    /** Starts the loop on its own thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(this::loop, "ltm-worker-" + role);
        // an Error (out of memory) ends the loop: say so loudly, since the process itself stays up
        thread.setUncaughtExceptionHandler((t, e) ->
                LOG.error("{} worker stopped: it processes nothing more until " + "the process is restarted", role, e));
        thread.start();
    }

    private void loop() {
        int failures = 0;
        boolean reread = false; // a failed batch is read again, from the committed offsets, before anything else
        while (running.get()) {
            ConsumerRecords<byte[], byte[]> batch;
            try {
                if (reread) {
                    rewind();
                    reread = false;
                }
                batch = consumer.poll(poll);
            } catch (WakeupException e) {
                break;
            } catch (FencedInstanceIdException e) {
                stopFenced(e);
                break;
            } catch (RetriableException e) {
                // the cluster away (the committed offsets or the fetch timed out): nothing new was read; tried again
                // rather than ending the thread (an error that cannot be retried does end it, and `ltm worker` exits)
                failures++;
                LOG.warn(
                        "{} worker: {} failed ({} in a row); tried again",
                        role,
                        reread ? "reading the committed offsets" : "polling",
                        failures,
                        e);
                backoff(failures);
                continue;
            }
            if (batch.isEmpty()) {
                try {
                    idle();
                } catch (RuntimeException e) {
                    LOG.warn("{} worker: upkeep between batches failed; tried again at the next idle poll", role, e);
                }
                failures = flushDue(false, failures);
                continue;
            }
            batch.forEach(r -> oldRecords.check(r.topic(), r.timestamp()));
            try {
                write(batch);
                failures = 0;
            } catch (FencedInstanceIdException e) { // the group refused the offsets: a newer member has this id
                stopFenced(e);
                break;
            } catch (ProducerFencedException e) {
                failures++;
                LOG.warn(
                        "{} worker: its producer was fenced ({} in a row); replacing it, rejoining the group and"
                                + " re-reading the batch",
                        role,
                        failures,
                        e);
                replaceFencedProducer();
                reread = true;
                backoff(failures);
            } catch (RuntimeException e) {
                // a failed batch (broker or registry unavailable; bad records never get here, process()
                // dead-letters them) was aborted and is read again: nothing is lost, and none of its output
                // becomes visible to read_committed consumers
                aborted();
                failures++;
                LOG.warn(
                        "{} batch failed ({} in a row), aborting its transaction and re-reading it", role, failures, e);
                reread = true;
                backoff(failures);
            }
        }
        // a worker stopping while its batches fail (the cluster away) does not wait on one more transaction
        if (!fenced && failures == 0) {
            flushDue(true, 0);
        }
    }

    /** Writes the output {@link #due} now; a failure leaves it owed (retried after a backoff). */
    private int flushDue(boolean closing, int failures) {
        List<ProducerRecord<String, byte[]>> out = due(closing);
        if (out.isEmpty()) {
            return failures;
        }
        try {
            transaction(null, out);
            return 0;
        } catch (ProducerFencedException e) {
            LOG.warn("{} worker: its producer was fenced; replacing it and rejoining the group", role, e);
            replaceFencedProducer();
            return failures + 1;
        } catch (RuntimeException e) {
            aborted();
            LOG.warn("{} worker: writing held-back output failed; it stays owed", role, e);
            if (!closing) {
                backoff(failures + 1);
            }
            return failures + 1;
        }
    }

    /**
     * The batch's output and offsets in one transaction. An output too large to write (over the producer's
     * max.request.size or the topic's max.message.bytes) would fail the batch on every retry, so then the batch is
     * written again one input record per transaction, and the record whose output is too large is dead-lettered.
     */
    private void write(ConsumerRecords<byte[], byte[]> batch) {
        try {
            transaction(batch, process(batch));
        } catch (RuntimeException e) {
            if (tooLarge(e) == null) {
                throw e;
            }
            LOG.warn("an output of a {} batch is too large to write; writing the batch one record at a time", role, e);
            for (TopicPartition tp : batch.partitions()) {
                for (ConsumerRecord<byte[], byte[]> r : batch.records(tp)) {
                    ConsumerRecords<byte[], byte[]> one = new ConsumerRecords<>(Map.of(tp, List.of(r)), Map.of());
                    try {
                        transaction(one, process(one));
                    } catch (RuntimeException failed) {
                        ApiException reason = tooLarge(failed);
                        if (reason == null) {
                            throw failed;
                        }
                        transaction(one, List.of(deadLetter(r, reason)));
                    }
                }
            }
        }
    }

    /** {@code out} and the offsets after {@code batch} (none when null) in one transaction. */
    private void transaction(ConsumerRecords<byte[], byte[]> batch, List<ProducerRecord<String, byte[]>> out) {
        if (producer == null) {
            producer = initialized();
        }
        try {
            producer.beginTransaction();
            for (ProducerRecord<String, byte[]> r : out) {
                producer.send(r);
            }
            if (batch != null) {
                producer.sendOffsetsToTransaction(nextOffsets(batch), consumer.groupMetadata());
            }
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw e; // a fenced producer cannot abort: the loop replaces it
        } catch (RuntimeException e) {
            abortOrGiveUp(e);
            aborted();
            throw e;
        }
        committed();
    }

    /** A new producer with the loop's transactional id, initialized: it fences and aborts a predecessor's transaction. */
    private Producer<String, byte[]> initialized() {
        Producer<String, byte[]> p = producers.get();
        try {
            p.initTransactions();
            return p;
        } catch (RuntimeException e) {
            p.close(Duration.ZERO);
            throw e;
        }
    }

    private void stopFenced(FencedInstanceIdException e) {
        LOG.error("{} worker fenced by a newer instance with the same id; stopping", role, e);
        fenced = true;
    }

    /**
     * After a fenced producer: its transaction is over (aborted by the coordinator or by a newer producer), so the
     * producer is closed and the next transaction starts with a new one; the rejoin asked for here takes place in the
     * next poll, which fails if a newer member has this instance id (see the class comment).
     */
    private void replaceFencedProducer() {
        aborted();
        if (producer != null) { // null when a new producer's initTransactions was the call fenced
            producer.close(Duration.ZERO);
            producer = null;
        }
        consumer.enforceRebalance("the producer was fenced: is this instance still the group's member?");
    }

    /**
     * Aborts the failed transaction; a producer that cannot abort is closed, and the next transaction starts with a
     * new one (see the class comment). A fenced producer is left to the loop.
     */
    private void abortOrGiveUp(RuntimeException failure) {
        try {
            producer.abortTransaction();
        } catch (ProducerFencedException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn(
                    "{} worker: the producer cannot abort after {} ({}); replacing it with a new producer with the"
                            + " same transactional id",
                    role,
                    failure.toString(),
                    e.toString());
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    /** The record-too-large error among {@code e} and its causes (the commit wraps it), or null. */
    private static ApiException tooLarge(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof RecordTooLargeException || c instanceof RecordBatchTooLargeException) {
                return (ApiException) c;
            }
        }
        return null;
    }

    /** Doubles from the poll timeout up to the configured maximum: a long outage is retried, not hammered. */
    private void backoff(int failures) {
        long wait = Math.min(maxBackoffMs, poll.toMillis() << Math.min(failures - 1, 20));
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : batch.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> rs = batch.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return offsets;
    }

    /** Back to the last committed position of every assigned partition, so the aborted batch is read again. */
    private void rewind() {
        var committed = consumer.committed(consumer.assignment());
        for (TopicPartition tp : consumer.assignment()) {
            OffsetAndMetadata om = committed.get(tp);
            if (om != null) {
                consumer.seek(tp, om.offset());
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }

    /**
     * Waits until the loop's thread has ended: after {@link #close}, or on its own, when a newer instance with the same
     * id fenced it ({@link #fenced()}) or an error it cannot retry (an Error, a consumer error that is not retriable)
     * ended it. A process that runs one worker exits then, rather than
     * stay up serving nothing.
     */
    public void awaitStop() throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            throw new IllegalStateException("not started");
        }
        t.join();
    }

    /** True when the loop stopped because a newer instance with the same id fenced it. */
    public boolean fenced() {
        return fenced;
    }

    /** Stops after the current batch and closes the clients. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        consumer.close(Duration.ofSeconds(10));
        oldRecords.close();
        hanging.close();
    }
}
