package io.ltm.topology.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.TokenEvent;
import io.ltm.topology.TestFixtures;
import io.ltm.topology.api.LtmConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class TransactionalLoopTest {

    /**
     * Fails a transaction with an output over {@code limit} bytes the way KafkaProducer does: the send fails, the
     * transaction enters an error state, and the commit throws with the RecordTooLargeException as its cause.
     */
    private static final class LimitedProducer extends MockProducer<String, byte[]> {
        private final int limit;
        private RecordTooLargeException failed;

        LimitedProducer(int limit) {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
            this.limit = limit;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> r) {
            if (r.value().length > limit) {
                failed = new RecordTooLargeException("The message is " + r.value().length + " bytes when serialized");
                return CompletableFuture.failedFuture(failed);
            }
            return super.send(r);
        }

        @Override
        public synchronized void commitTransaction() {
            if (failed != null) {
                throw new KafkaException(
                        "Cannot execute transactional method because we are in an error state", failed);
            }
            super.commitTransaction();
        }

        @Override
        public synchronized void abortTransaction() {
            failed = null;
            super.abortTransaction();
        }
    }

    @Test
    void anOutputTooLargeToWriteDeadLettersItsInputAndTheRestOfTheBatchIsWritten() throws Exception {
        LtmConfig config = TestFixtures.config("loop-" + UUID.randomUUID(), Map.of(LtmConfig.WORKER_POLL_MS, 5L));
        WorkerHarness h = new WorkerHarness(config);
        LimitedProducer producer = new LimitedProducer(1000);
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        TopicPartition tp = new TopicPartition("ltm.events", 0);
        String big = "lorem ".repeat(50); // within the word-piece limit, but its output is over the producer's
        byte[] k = "k".getBytes(StandardCharsets.UTF_8);
        try (EncodeWorker worker =
                new EncodeWorker(config, new HashingEncoder(TestFixtures.DIM), consumer, () -> producer)) {
            consumer.rebalance(List.of(tp));
            consumer.updateBeginningOffsets(Map.of(tp, 0L));
            List<String> texts = List.of("first event", big, "third event");
            for (int i = 0; i < texts.size(); i++) {
                byte[] v = h.serialize(
                        TokenEvent.class,
                        tp.topic(),
                        TokenEvent.newBuilder().setText(texts.get(i)).build());
                consumer.addRecord(new ConsumerRecord<>(
                        tp.topic(),
                        0,
                        i,
                        1_700_000_000_000L,
                        TimestampType.CREATE_TIME,
                        k.length,
                        v.length,
                        k,
                        v,
                        new RecordHeaders(),
                        Optional.empty()));
            }
            worker.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (committedOffset(producer, tp) < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(committedOffset(producer, tp)).isEqualTo(3);
        List<ProducerRecord<String, byte[]>> written = producer.history();
        assertThat(h.values(written, "ltm.tokens", EncodedTokens.class))
                .extracting(t -> t.getSource().getOffset())
                .containsExactly(0L, 2L);
        assertThat(h.values(written, "ltm.dlq", DeadLetter.class))
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.getOffset()).isEqualTo(1);
                    assertThat(d.getErrorClass()).isEqualTo(RecordTooLargeException.class.getName());
                });
    }

    /** Holds one output per input record and releases what committed batches held when {@link #release} is set. */
    private static final class Holding extends TransactionalLoop {
        volatile boolean release;
        private int staged;
        private int held;
        private int sending;

        Holding(LtmConfig config, MockConsumer<byte[], byte[]> consumer, MockProducer<String, byte[]> producer) {
            super(config, "hold", List.of("in"), consumer, () -> producer);
        }

        @Override
        protected List<ProducerRecord<String, byte[]>> process(ConsumerRecords<byte[], byte[]> batch) {
            staged += batch.count();
            return List.of();
        }

        @Override
        protected List<ProducerRecord<String, byte[]>> due(boolean closing) {
            if (held == 0 || !(closing || release)) {
                return List.of();
            }
            sending = held;
            List<ProducerRecord<String, byte[]>> out = new java.util.ArrayList<>();
            for (int i = 0; i < held; i++) {
                out.add(new ProducerRecord<>("out", "k", new byte[] {(byte) i}));
            }
            return out;
        }

        @Override
        protected void committed() {
            held += staged - sending;
            staged = 0;
            sending = 0;
        }

        @Override
        protected void aborted() {
            staged = 0;
            sending = 0;
        }
    }

    @Test
    void outputHeldBackIsWrittenWhenDueOnAnIdlePollAndWhatIsLeftWhenTheLoopCloses() throws Exception {
        LtmConfig config = TestFixtures.config("hold-" + UUID.randomUUID(), Map.of(LtmConfig.WORKER_POLL_MS, 5L));
        MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        TopicPartition tp = new TopicPartition("in", 0);
        Holding loop = new Holding(config, consumer, producer);
        consumer.rebalance(List.of(tp));
        consumer.updateBeginningOffsets(Map.of(tp, 0L));
        for (int i = 0; i < 2; i++) {
            consumer.addRecord(new ConsumerRecord<>("in", 0, i, new byte[] {1}, new byte[] {2}));
        }
        loop.start();
        awaitTrue(() -> committedOffset(producer, tp) == 2);
        Thread.sleep(50); // idle polls, nothing due yet
        assertThat(producer.history()).isEmpty();

        loop.release = true;
        awaitTrue(() -> producer.history().size() == 2);
        loop.release = false;
        consumer.schedulePollTask(
                () -> consumer.addRecord(new ConsumerRecord<>("in", 0, 2, new byte[] {1}, new byte[] {3})));
        awaitTrue(() -> committedOffset(producer, tp) == 3);
        assertThat(producer.history()).as("held, not due").hasSize(2);

        loop.close();
        assertThat(producer.history()).as("written as the loop closed").hasSize(3);
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(producer.consumerGroupOffsetsHistory())
                .as("transactions of held output alone carry no offsets")
                .hasSize(2);
    }

    /**
     * What KafkaProducer does when the broker ended the transaction meanwhile (it outlived transaction.timeout.ms
     * across a broker restart, seen on Kafka 4.3.1 with transactions v2): the commit fails with
     * InvalidTxnStateException, and from then on every transactional call, the abort included, fails.
     */
    private static final class EndedByTheBrokerProducer extends MockProducer<String, byte[]> {
        private KafkaException failed;

        EndedByTheBrokerProducer() {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized void beginTransaction() {
            throwIfFailed();
            super.beginTransaction();
        }

        @Override
        public synchronized void commitTransaction() {
            InvalidTxnStateException e = new InvalidTxnStateException(
                    "The producer attempted a transactional operation in an invalid state.");
            failed = new KafkaException("Cannot execute transactional method because we are in an error state", e);
            throw e;
        }

        @Override
        public synchronized void abortTransaction() {
            throwIfFailed();
            super.abortTransaction();
        }

        private void throwIfFailed() {
            if (failed != null) {
                throw failed;
            }
        }
    }

    /** Reads again after a seek, as KafkaConsumer does (MockConsumer forgets its records once they are polled). */
    private static class RereadingConsumer extends MockConsumer<byte[], byte[]> {
        private final List<ConsumerRecord<byte[], byte[]>> log = new java.util.ArrayList<>();

        RereadingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void addRecord(ConsumerRecord<byte[], byte[]> r) {
            log.add(r);
            super.addRecord(r);
        }

        @Override
        public synchronized void seek(TopicPartition tp, long offset) {
            super.seek(tp, offset);
            log.stream().filter(r -> r.offset() >= offset).forEach(super::addRecord);
        }

        @Override
        public synchronized void seekToBeginning(java.util.Collection<TopicPartition> partitions) {
            super.seekToBeginning(partitions);
            log.forEach(super::addRecord);
        }
    }

    /** One output record per input record. */
    private static final class Echo extends TransactionalLoop {
        Echo(LtmConfig config, RereadingConsumer consumer, Iterator<Producer<String, byte[]>> producers) {
            super(config, "echo", List.of("in"), consumer, producers::next);
        }

        @Override
        protected List<ProducerRecord<String, byte[]>> process(ConsumerRecords<byte[], byte[]> batch) {
            List<ProducerRecord<String, byte[]>> out = new java.util.ArrayList<>();
            batch.forEach(r -> out.add(new ProducerRecord<>("out", "k", r.value())));
            return out;
        }
    }

    @Test
    void aProducerThatCannotAbortAnyMoreIsReplacedAndTheBatchIsWrittenByItsSuccessor() throws Exception {
        EndedByTheBrokerProducer ended = new EndedByTheBrokerProducer();
        RereadingConsumer consumer = new RereadingConsumer();
        writtenOnceBySuccessor(ended, consumer);
        assertThat(ended.transactionCommitted()).isFalse();
    }

    /**
     * Three input records through an echo loop whose first producer fails for good at its first commit: the loop
     * closes it and its successor writes the records and their offsets once. Answers whether the loop ended fenced.
     */
    private static boolean writtenOnceBySuccessor(MockProducer<String, byte[]> failing, RereadingConsumer consumer)
            throws Exception {
        LtmConfig config = TestFixtures.config("replaced-" + UUID.randomUUID(), Map.of(LtmConfig.WORKER_POLL_MS, 5L));
        MockProducer<String, byte[]> next =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        TopicPartition tp = new TopicPartition("in", 0);
        boolean fenced;
        try (Echo loop = new Echo(
                config,
                consumer,
                List.<Producer<String, byte[]>>of(failing, next).iterator())) {
            consumer.rebalance(List.of(tp));
            consumer.updateBeginningOffsets(Map.of(tp, 0L));
            for (int i = 0; i < 3; i++) {
                consumer.addRecord(new ConsumerRecord<>("in", 0, i, new byte[] {1}, new byte[] {(byte) i}));
            }
            loop.start();
            awaitTrue(() -> committedOffset(next, tp) == 3);
            fenced = loop.fenced();
        }
        assertThat(failing.closed())
                .as("the producer that failed for good is closed")
                .isTrue();
        assertThat(next.history()).extracting(r -> r.value()[0]).containsExactly((byte) 0, (byte) 1, (byte) 2);
        return fenced;
    }

    @Test
    void aBatchIsReadAgainWhenTheCommittedOffsetsCouldNotBeReadAtFirst() throws Exception {
        LtmConfig config = TestFixtures.config("reread-" + UUID.randomUUID(), Map.of(LtmConfig.WORKER_POLL_MS, 5L));
        // the first commit fails (the broker away), and so does the first look-up of the committed offsets
        MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
                    private boolean failed;

                    @Override
                    public synchronized void commitTransaction() {
                        if (!failed) {
                            failed = true;
                            throw new org.apache.kafka.common.errors.TimeoutException("commit timed out");
                        }
                        super.commitTransaction();
                    }
                };
        RereadingConsumer consumer = new RereadingConsumer() {
            private boolean failed;

            @Override
            public synchronized Map<TopicPartition, OffsetAndMetadata> committed(
                    java.util.Set<TopicPartition> partitions) {
                if (!failed) {
                    failed = true;
                    throw new org.apache.kafka.common.errors.TimeoutException("committed offsets timed out");
                }
                return super.committed(partitions);
            }
        };
        TopicPartition tp = new TopicPartition("in", 0);
        try (Echo loop = new Echo(
                config, consumer, List.<Producer<String, byte[]>>of(producer).iterator())) {
            consumer.rebalance(List.of(tp));
            consumer.updateBeginningOffsets(Map.of(tp, 0L));
            for (int i = 0; i < 3; i++) {
                consumer.addRecord(new ConsumerRecord<>("in", 0, i, new byte[] {1}, new byte[] {(byte) i}));
            }
            loop.start();
            awaitTrue(() -> committedOffset(producer, tp) == 3);
        }
        assertThat(producer.history()).extracting(r -> r.value()[0]).containsExactly((byte) 0, (byte) 1, (byte) 2);
    }

    /** A newer instance with the same instance id joined the group: the rejoin a fenced producer asks for fails. */
    private static final class TakenOverConsumer extends RereadingConsumer {
        @Override
        public void enforceRebalance(String reason) {
            super.enforceRebalance(reason);
            setPollException(new FencedInstanceIdException("a newer member has this group.instance.id"));
        }
    }

    @Test
    void aLoopWhoseInstanceANewerOneTookOverStopsOnItsOwnAndSaysSo() throws Exception {
        LtmConfig config = TestFixtures.config("fenced-" + UUID.randomUUID(), Map.of(LtmConfig.WORKER_POLL_MS, 5L));
        MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        RereadingConsumer consumer = new TakenOverConsumer();
        TopicPartition tp = new TopicPartition("in", 0);
        try (Echo loop = new Echo(
                config, consumer, List.<Producer<String, byte[]>>of(producer).iterator())) {
            consumer.rebalance(List.of(tp));
            consumer.updateBeginningOffsets(Map.of(tp, 0L));
            loop.start();
            producer.fenceProducer(); // a newer instance with the same transactional id took over
            consumer.addRecord(new ConsumerRecord<>("in", 0, 0, new byte[] {1}, new byte[] {0}));
            Thread waiter = new Thread(() -> {
                try {
                    loop.awaitStop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            waiter.join(Duration.ofSeconds(20).toMillis());
            assertThat(waiter.isAlive())
                    .as("the loop's thread ended without close()")
                    .isFalse();
            assertThat(loop.fenced()).isTrue();
        }
        assertThat(producer.history()).isEmpty();
    }

    /**
     * The coordinator aborted the transaction itself (it outlived transaction.timeout.ms across a broker restart) and
     * bumped the producer's epoch: the late commit is answered PRODUCER_FENCED, and KafkaProducer refuses every call
     * from then on, as for a newer instance.
     */
    private static final class FencedAtCommitProducer extends MockProducer<String, byte[]> {
        FencedAtCommitProducer() {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized void commitTransaction() {
            fenceProducer();
            super.commitTransaction();
        }
    }

    @Test
    void aProducerFencedWhileTheGroupKeepsTheInstanceIsReplacedAndTheBatchIsWrittenOnce() throws Exception {
        FencedAtCommitProducer fenced = new FencedAtCommitProducer();
        RereadingConsumer consumer = new RereadingConsumer();
        assertThat(writtenOnceBySuccessor(fenced, consumer)).isFalse();
        assertThat(consumer.shouldRebalance())
                .as("the group asked whether this instance is still its member")
                .isTrue();
        assertThat(fenced.transactionCommitted()).isFalse();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }

    private static long committedOffset(MockProducer<String, byte[]> producer, TopicPartition tp) {
        return producer.consumerGroupOffsetsHistory().stream()
                .flatMap(m -> m.values().stream())
                .map(m -> m.get(tp))
                .filter(java.util.Objects::nonNull)
                .mapToLong(OffsetAndMetadata::offset)
                .max()
                .orElse(0);
    }
}
