package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.topology.api.HangingTransactionCheck;
import io.ltm.topology.api.LtmConfig;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hanging transaction on a real broker, and the node's and workers' check that ends it. The transaction is the kind
 * the chaos runs left after a broker restart: open on a partition, of a producer whose coordinator has no transaction
 * in progress (state Empty). To make one at will, a transactional batch is written to the partition with a raw
 * produce request, past the coordinator, on a broker whose leaders do not verify transactional writes with the
 * coordinator ({@code transaction.partition.verification.enable=false}; with it, Kafka refuses such a write, but not
 * the one the restart left).
 */
class HangingTransactionTest {

    /** The last produce request version of transaction version 1, whose leaders tell the coordinator nothing. */
    private static final short TV1_PRODUCE = 11;

    private static final short TV2_PRODUCE = 12;
    /** The last TxnOffsetCommit version of transaction version 1. */
    private static final short TV1_TXN_OFFSET_COMMIT = 4;

    private static final long FORGOTTEN_TIMEOUT_MS = 6_000;
    private static final long CHECK_AFTER_MS = 1_000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    static EmbeddedKafkaBroker broker;
    static Admin admin;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(Map.of("transaction.partition.verification.enable", "false"));
        admin = broker.admin();
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        broker.close();
    }

    @Test
    void aTransactionItsCoordinatorForgotIsAbortedAndTheRecordsBehindItAreRead() throws Exception {
        Scenario s = new Scenario(TV1_PRODUCE);
        s.writeHangingTransaction();
        Thread.sleep(2 * FORGOTTEN_TIMEOUT_MS); // the broker ends nothing by itself
        assertThat(stable(s.tokens)).as("the partition hangs").isZero();

        try (HangingTransactionCheck check = HangingTransactionCheck.start(s.config, s.app)) {
            awaitStable(s.tokens);
            assertThat(check.aborted()).isEqualTo(1);
        }
        assertThat(stable(s.tokens)).as("last stable offset").isEqualTo(end(s.tokens));
        assertThat(readCommitted(s.tokens)).containsExactly("committed");
    }

    /**
     * The same write as a produce request of transaction version 2 (Kafka 4's): the partition's leader adds the
     * partition to the producer's transaction at its coordinator whatever the verification setting, so the transaction
     * is in progress there, and the check leaves it to the coordinator, which aborts it at its timeout.
     */
    @Test
    void aTransactionInProgressAtItsCoordinatorIsLeftToIt() throws Exception {
        Scenario s = new Scenario(TV2_PRODUCE);
        long written = System.nanoTime();
        s.writeHangingTransaction();
        try (HangingTransactionCheck check = HangingTransactionCheck.start(s.config, s.app)) {
            awaitStable(s.tokens);
            assertThat(Duration.ofNanos(System.nanoTime() - written))
                    .as("ended at the coordinator's timeout")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(FORGOTTEN_TIMEOUT_MS));
            assertThat(check.aborted()).isZero();
        }
        assertThat(readCommitted(s.tokens)).containsExactly("committed");
    }

    /**
     * The chaos run's other symptom: the restarted encode worker read nothing, most likely because its group's offsets
     * were in the hanging transaction. Offsets pending in a transaction are not given to a read_committed consumer
     * (the broker answers UNSTABLE_OFFSET_COMMIT until the transaction ends), so the group cannot start; the check
     * watches the group's partition of {@code __consumer_offsets} and aborts them.
     */
    @Test
    void offsetsOfATransactionItsCoordinatorForgotAreAbortedAndTheGroupStarts() throws Exception {
        Scenario s = new Scenario(TV1_PRODUCE);
        String group = s.app;
        // the group coordinator's topic exists from the first look-up of a group
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        TransactionDescription p = s.forgottenProducer();
        commitOffsetsPastTheCoordinator(group, s.forgotten, p.producerId(), (short) p.producerEpoch(), s.tokens, 1);
        try (KafkaConsumer<String, String> consumer = groupConsumer(group)) {
            assertThatThrownBy(() -> consumer.committed(Set.of(s.tokens), Duration.ofSeconds(3)))
                    .as("the group's offsets are pending")
                    .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            try (HangingTransactionCheck check = HangingTransactionCheck.start(s.config, group)) {
                Map<TopicPartition, OffsetAndMetadata> committed = awaitCommitted(consumer, s.tokens);
                assertThat(check.aborted()).isEqualTo(1);
                assertThat(committed.get(s.tokens)).as("the aborted offsets").isNull();
            }
        }
    }

    private static KafkaConsumer<String, String> groupConsumer(String group) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    }

    private static Map<TopicPartition, OffsetAndMetadata> awaitCommitted(
            KafkaConsumer<String, String> consumer, TopicPartition tp) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return consumer.committed(Set.of(tp), Duration.ofSeconds(2));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    /** A tokens topic, and the open transaction on it (with a committed record behind it) that a test needs. */
    private static final class Scenario {
        final String app = "hang-" + UUID.randomUUID();
        final LtmConfig config = new LtmConfig(Map.of(
                LtmConfig.BOOTSTRAP_SERVERS,
                broker.bootstrapServers(),
                LtmConfig.APPLICATION_ID,
                app,
                LtmConfig.TOPIC_TOKENS,
                app + ".tokens",
                LtmConfig.HANGING_TRANSACTION_ABORT_MS,
                CHECK_AFTER_MS));
        final TopicPartition tokens = new TopicPartition(config.getString(LtmConfig.TOPIC_TOKENS), 0);
        final short produceVersion;

        Scenario(short produceVersion) {
            this.produceVersion = produceVersion;
            broker.createTopic(tokens.topic(), 1);
        }

        /** A producer the coordinator knows, with no transaction in progress: the encode worker's in the chaos run. */
        final String forgotten = app + "-encode";

        TransactionDescription forgottenProducer() throws Exception {
            return initialized(broker.bootstrapServers(), admin, forgotten);
        }

        void writeHangingTransaction() throws Exception {
            TransactionDescription f = forgottenProducer();
            writePastTheCoordinator(
                    broker.bootstrapServers(),
                    tokens,
                    forgotten,
                    f.producerId(),
                    (short) f.producerEpoch(),
                    produceVersion);
            // a committed record behind it, which read_committed readers cannot reach while it is open
            try (KafkaProducer<String, String> p =
                    producer(broker.bootstrapServers(), app + "-other", FORGOTTEN_TIMEOUT_MS)) {
                p.initTransactions();
                p.beginTransaction();
                p.send(new ProducerRecord<>(tokens.topic(), 0, "key", "committed"));
                p.commitTransaction();
            }
            assertThat(stable(tokens)).isZero();
            // the open batch and the committed record (its marker may still be on its way)
            assertThat(end(tokens)).isGreaterThanOrEqualTo(2);
        }
    }

    private static void awaitStable(TopicPartition tp) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (stable(tp) < end(tp) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static KafkaProducer<String, String> producer(
            String bootstrapServers, String transactionalId, long transactionTimeoutMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeoutMs);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /**
     * A hanging transaction on {@code tp} (a single broker's), for tests elsewhere too: a transactional batch of a
     * producer its coordinator knows with no transaction in progress, written with a request of transaction version 1.
     * The broker must not verify transactional writes ({@code transaction.partition.verification.enable=false}).
     */
    static void hang(String bootstrapServers, Admin admin, TopicPartition tp, String transactionalId) throws Exception {
        TransactionDescription p = initialized(bootstrapServers, admin, transactionalId);
        writePastTheCoordinator(
                bootstrapServers, tp, transactionalId, p.producerId(), (short) p.producerEpoch(), TV1_PRODUCE);
    }

    /** The coordinator's view of {@code transactionalId} once a producer with that id has initialized and closed. */
    private static TransactionDescription initialized(String bootstrapServers, Admin admin, String transactionalId)
            throws Exception {
        try (KafkaProducer<String, String> p = producer(bootstrapServers, transactionalId, FORGOTTEN_TIMEOUT_MS)) {
            p.initTransactions();
        }
        return admin.describeTransactions(List.of(transactionalId))
                .description(transactionalId)
                .get();
    }

    /** One transactional batch of {@code producerId}, sent straight to the leader without telling the coordinator. */
    private static void writePastTheCoordinator(
            String bootstrapServers,
            TopicPartition tp,
            String transactionalId,
            long producerId,
            short epoch,
            short version)
            throws Exception {
        MemoryRecords records = MemoryRecords.withTransactionalRecords(
                Compression.NONE,
                producerId,
                epoch,
                0,
                new SimpleRecord(System.currentTimeMillis(), null, "hanging".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData data = new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(10_000)
                .setTransactionalId(transactionalId)
                .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(
                                new ProduceRequestData.TopicProduceData()
                                        .setName(tp.topic())
                                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                                                .setIndex(tp.partition())
                                                .setRecords(records))))
                        .iterator()));
        RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, version, "hanging-test", 1);
        ByteBuffer request = new ProduceRequest.Builder(version, version, data)
                .build(version)
                .serializeWithHeader(header);
        ProduceResponse answer = (ProduceResponse) send(bootstrapServers, request, header);
        short error = answer.data()
                .responses()
                .iterator()
                .next()
                .partitionResponses()
                .get(0)
                .errorCode();
        assertThat(Errors.forCode(error)).isEqualTo(Errors.NONE);
    }

    /**
     * Offsets of {@code group} committed in a transaction of {@code producerId}, sent straight to the group coordinator
     * (a request of transaction version 1) without the transaction coordinator adding the offsets to the transaction.
     */
    private static void commitOffsetsPastTheCoordinator(
            String group, String transactionalId, long producerId, short epoch, TopicPartition tp, long offset)
            throws Exception {
        short version = TV1_TXN_OFFSET_COMMIT;
        RequestHeader header = new RequestHeader(ApiKeys.TXN_OFFSET_COMMIT, version, "hanging-test", 2);
        ByteBuffer request = new TxnOffsetCommitRequest.Builder(
                        transactionalId,
                        group,
                        producerId,
                        epoch,
                        Map.of(tp, new TxnOffsetCommitRequest.CommittedOffset(offset, "", Optional.empty())),
                        false)
                .build(version)
                .serializeWithHeader(header);
        TxnOffsetCommitResponse answer = (TxnOffsetCommitResponse) send(broker.bootstrapServers(), request, header);
        assertThat(answer.errors()).containsExactly(Map.entry(tp, Errors.NONE));
    }

    /** One request to the (single) broker and its answer. */
    private static AbstractResponse send(String bootstrapServers, ByteBuffer request, RequestHeader header)
            throws Exception {
        String[] hostPort = bootstrapServers.split(":");
        try (Socket s = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(request.remaining());
            out.write(request.array(), request.arrayOffset() + request.position(), request.remaining());
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
        }
    }

    private static long stable(TopicPartition tp) throws Exception {
        return offset(tp, IsolationLevel.READ_COMMITTED);
    }

    private static long end(TopicPartition tp) throws Exception {
        return offset(tp, IsolationLevel.READ_UNCOMMITTED);
    }

    private static long offset(TopicPartition tp, IsolationLevel isolation) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(isolation))
                .partitionResult(tp)
                .get()
                .offset();
    }

    private static List<String> readCommitted(TopicPartition tp) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (consumer.position(tp) < consumer.endOffsets(List.of(tp)).get(tp) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
