package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.LocalCluster;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction that stays open on an input partition holds the node (a read_committed reader) at the last stable
 * offset, where its committed offset has caught up: {@code /health} must still say so, naming the partition in
 * {@code heldPartitions}, and be healthy again once the transaction ends. A real broker and a real transactional
 * producer; the transaction stands for a hanging one. And a real hanging one, made with a raw produce request, which the
 * node aborts.
 */
class HeldPartitionTest {
    static final long HELD_MS = 3_000;
    static final long ABORT_AFTER_MS = 2_000;
    /** Tokens written behind the hanging transaction. */
    static final int BEHIND = 7;

    @TempDir
    Path tmp;

    @Test
    void anInputPartitionHeldByAnOpenTransactionMakesTheNodeDegradedUntilTheTransactionEnds() throws Exception {
        try (LocalCluster cluster = LocalCluster.start();
                HashingEncoder encoder = new HashingEncoder(SmallMemory.NODE.dim())) {
            LtmConfig config = nodeOnItsTopics(cluster, "held", LtmConfig.HEALTH_STUCK_PARTITION_MS, HELD_MS);
            String tokens = config.getString(LtmConfig.TOPIC_TOKENS);
            try (MemoryNode node = MemoryNode.start(config, encoder);
                    KafkaProducer<String, byte[]> producer = transactional(cluster)) {
                node.awaitRunning(Duration.ofSeconds(60));
                HttpClient http = HttpClient.newHttpClient();
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(
                        tokens,
                        "k",
                        LtmSerdes.avro(EncodedTokens.class, cluster.serdeConfig())
                                .serializer()
                                .serialize(tokens, ReadYourWritesTest.tokens(new Random(1), 1))));
                producer.flush(); // on the log, behind a transaction that is not ended

                String degraded = awaitHealth(http, node, 503);
                assertThat(degraded)
                        .contains("\"state\":\"DEGRADED\"")
                        .contains("\"heldPartitions\":[\"" + tokens + "-0\"]")
                        .contains("\"stuckPartitions\":[]")
                        .contains("kafka-transactions.sh");

                producer.commitTransaction();
                String healthy = awaitHealth(http, node, 200);
                assertThat(healthy).contains("\"heldPartitions\":[]");
                System.out.printf(
                        "HELD: an open transaction on %s-0 made /health say %s; after its commit: %s%n",
                        tokens, degraded, healthy);
            }
        }
    }

    /**
     * A hanging transaction (open on the node's tokens partition while its coordinator has none in progress) is
     * aborted by the node's own check, and the tokens written behind it are absorbed; without the check they never
     * would be. The broker does not verify transactional writes, so that the test can write one past the coordinator.
     */
    @Test
    void aHangingTransactionOnAnInputPartitionIsAbortedByTheNodeAndTheTokensBehindItAreAbsorbed() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(Map.of("transaction.partition.verification.enable", "false"));
                HashingEncoder encoder = new HashingEncoder(SmallMemory.NODE.dim())) {
            LtmConfig config =
                    nodeOnItsTopics(cluster, "hanging", LtmConfig.HANGING_TRANSACTION_ABORT_MS, ABORT_AFTER_MS);
            String tokens = config.getString(LtmConfig.TOPIC_TOKENS);
            Properties p = cluster.producerProperties();
            try (MemoryNode node = MemoryNode.start(config, encoder);
                    Admin admin = cluster.admin();
                    KafkaProducer<String, byte[]> producer =
                            new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                node.awaitRunning(Duration.ofSeconds(60));
                HangingTransactionTest.hang(
                        cluster.bootstrapServers(),
                        admin,
                        new TopicPartition(tokens, 0),
                        "hanging-" + UUID.randomUUID());
                producer.send(new ProducerRecord<>(
                                tokens,
                                "k",
                                LtmSerdes.avro(EncodedTokens.class, cluster.serdeConfig())
                                        .serializer()
                                        .serialize(tokens, ReadYourWritesTest.tokens(new Random(1), BEHIND))))
                        .get();

                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                Object absorbed = null;
                while (System.nanoTime() < deadline) {
                    absorbed = node.describe("k").get("tokensAbsorbed");
                    if (absorbed instanceof Number n && n.longValue() == BEHIND) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(absorbed)
                        .as("tokens absorbed behind the hanging transaction")
                        .isEqualTo((long) BEHIND);
                String metrics = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                assertThat(metrics).contains("ltm_hanging_transactions_aborted_total 1.0");
            }
        }
    }

    /** A node's settings (one partition, its HTTP endpoint, {@code key} set to {@code value}), its topics created. */
    private LtmConfig nodeOnItsTopics(LocalCluster cluster, String prefix, String key, long value) {
        LtmConfig config = new LtmConfig(cluster.node(prefix)
                .stateUnder(tmp)
                .partitions(1)
                .memory(SmallMemory.NODE)
                .set(LtmConfig.HTTP_PORT, 0)
                .set(key, value)
                .entries());
        cluster.createTopics(config.topicPartitions());
        return config;
    }

    /** A producer whose transaction the coordinator lets stay open well past the test's wait. */
    private static KafkaProducer<String, byte[]> transactional(LocalCluster cluster) {
        Properties p = cluster.producerProperties();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "held-" + UUID.randomUUID());
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Polls {@code /health} every half second until it answers {@code status}; its body. */
    private static String awaitHealth(HttpClient http, MemoryNode node, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> r;
        do {
            Thread.sleep(500);
            r = RegistryOutageTest.health(http, node);
        } while (r.statusCode() != status && System.nanoTime() < deadline);
        assertThat(r.statusCode()).as("/health: %s", r.body()).isEqualTo(status);
        return r.body();
    }
}
