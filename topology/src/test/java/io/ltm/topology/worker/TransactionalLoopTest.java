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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
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
        try (EncodeWorker worker = new EncodeWorker(config, new HashingEncoder(TestFixtures.DIM), consumer, producer)) {
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
