package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.LocalCluster;
import io.ltm.testutils.it.MemoryProgress;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under exactly_once_v2 an answer is visible to read_committed clients once the node commits. With a commit interval
 * of a minute, a query is still answered within seconds when the node asks for a commit after queries
 * (ltm.query.commit.gap.ms at its default) and is not when it never asks (-1). The node's first query takes the detour
 * (the router does not know the partition count yet, so it writes the query again to the queries topic), so the
 * router's commit is needed as well, and the answer's follows it without waiting a gap.
 */
class QueryCommitTest {

    private static final long COMMIT_INTERVAL_MS = 60_000;
    private static final int TOKENS = 5;

    static LocalCluster cluster;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    /** Starts a node with a one-minute commit interval, writes the key's tokens and asks one query. */
    private MemoryResponse ask(long commitGapMs, String name, Duration timeout) throws Exception {
        LtmConfig config = new LtmConfig(cluster.node(name)
                .stateUnder(tmp)
                .partitions(1)
                .topicsOfItsOwn()
                .memory(SmallMemory.NODE)
                .set(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS)
                // Streams refuses a transaction timeout below the commit interval
                .set(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), (int)
                        (2 * COMMIT_INTERVAL_MS))
                .set(LtmConfig.QUERY_COMMIT_GAP_MS, commitGapMs)
                .entries());
        cluster.createTopics(config.topicPartitions());
        String tokensTopic = config.getString(LtmConfig.TOPIC_TOKENS);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        var tokensSerde = LtmSerdes.avro(EncodedTokens.class, config.serdeConfig());
        try (HashingEncoder encoder = new HashingEncoder(ReadYourWritesTest.DIM);
                MemoryNode node = MemoryNode.start(config, encoder);
                LtmClient client = new LtmClient(config);
                KafkaProducer<String, byte[]> writer =
                        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            node.awaitRunning(Duration.ofSeconds(60));
            writer.send(new ProducerRecord<>(
                            tokensTopic,
                            "k",
                            tokensSerde
                                    .serializer()
                                    .serialize(tokensTopic, ReadYourWritesTest.tokens(new Random(3), TOKENS))))
                    .get();
            MemoryProgress.awaitTokens(node::describe, "k", TOKENS, Duration.ofSeconds(60));
            return client.query("k", "anything", 1, timeout);
        }
    }

    @Test
    void aQueryIsAnsweredWithoutWaitingForTheCommitInterval() throws Exception {
        long start = System.nanoTime();
        MemoryResponse r = ask(50, "commit-now", Duration.ofSeconds(20));
        assertThat(r.getFound()).isTrue();
        assertThat(r.getStats().getTokensAbsorbed()).isEqualTo(TOKENS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(COMMIT_INTERVAL_MS));
    }

    @Test
    void theAnswerToAQueryThatTookTheDetourDoesNotWaitAGapAfterTheDetoursCommit() throws Exception {
        MemoryResponse r = ask(30_000, "detour-then-answer", Duration.ofSeconds(10));
        assertThat(r.getFound()).isTrue();
    }

    @Test
    void withoutTheCommitRequestTheAnswerWaitsForTheInterval() {
        assertThatThrownBy(() -> ask(-1, "commit-later", Duration.ofSeconds(8))).isInstanceOf(TimeoutException.class);
    }
}
