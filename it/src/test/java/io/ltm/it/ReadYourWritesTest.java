package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.LocalCluster;
import io.ltm.testutils.it.MemoryProgress;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.codec.MemoryStateCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-your-writes across the node's inputs: a token event written (in a transaction still open) before a query
 * becomes visible only after the query reached the node. With max.task.idle.ms the task waits for its tokens
 * input, which had just run dry, and answers after the event; with Kafka's default of 0 the query overtakes it.
 */
class ReadYourWritesTest {
    static final int DIM = SmallMemory.NODE.dim();
    static final int FIRST = 5;
    static final int SECOND = 7;

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

    LtmConfig config(long maxTaskIdleMs) {
        LtmConfig c = new LtmConfig(cluster.node("ryw")
                .stateUnder(tmp)
                .partitions(1)
                .topicsOfItsOwn()
                .memory(SmallMemory.NODE)
                .set(LtmConfig.MAX_TASK_IDLE_MS, maxTaskIdleMs)
                .entries());
        cluster.createTopics(c.topicPartitions());
        return c;
    }

    /**
     * Tokens absorbed when the query was answered: FIRST + SECOND if it waited for the second event. {@code overtaking}:
     * the answer is awaited before the transaction commits (a query that waits for it would then time out), else the
     * transaction commits 1.5 s after the query was sent, within the task's idle time.
     */
    long tokensSeenByAQuerySentInsideAnOpenTransaction(long maxTaskIdleMs, boolean overtaking) throws Exception {
        LtmConfig config = config(maxTaskIdleMs);
        String tokensTopic = config.getString(LtmConfig.TOPIC_TOKENS);
        Properties tx = new Properties();
        tx.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ryw-writer-" + UUID.randomUUID());
        var tokensSerde = LtmSerdes.avro(EncodedTokens.class, config.serdeConfig());
        Random rnd = new Random(1);
        try (HashingEncoder encoder = new HashingEncoder(DIM);
                MemoryNode node = MemoryNode.start(config, encoder);
                LtmClient client = new LtmClient(config);
                KafkaProducer<String, byte[]> writer =
                        new KafkaProducer<>(tx, new StringSerializer(), new ByteArraySerializer())) {
            node.awaitRunning(Duration.ofSeconds(60));
            writer.initTransactions();
            writer.beginTransaction();
            writer.send(new ProducerRecord<>(
                            tokensTopic, "k", tokensSerde.serializer().serialize(tokensTopic, tokens(rnd, FIRST))))
                    .get();
            writer.commitTransaction();
            MemoryProgress.awaitTokens(
                    node::describe, "k", FIRST, Duration.ofSeconds(60)); // the tokens input has just run dry

            writer.beginTransaction();
            writer.send(new ProducerRecord<>(
                            tokensTopic, "k", tokensSerde.serializer().serialize(tokensTopic, tokens(rnd, SECOND))))
                    .get(); // on the broker before the query, not yet committed
            MemoryQuery q = MemoryQuery.newBuilder()
                    .setQueryId(UUID.randomUUID().toString())
                    .setKey("k")
                    .setText("anything")
                    .setOptions(QueryOptions.newBuilder().setSpans(1).build())
                    .setRequestedAt(Instant.now())
                    .build();
            var answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return client.query(q, Duration.ofSeconds(60));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            MemoryResponse r;
            if (overtaking) {
                // however long the query's detour takes on a loaded machine: answered while the events are uncommitted
                r = answer.get();
                writer.commitTransaction();
            } else {
                Thread.sleep(
                        1500); // the query takes its detour (written again to its key's partition) and reaches the task
                writer.commitTransaction();
                r = answer.get();
            }
            assertThat(r.getFound()).isTrue();
            return r.getStats().getTokensAbsorbed();
        }
    }

    @Test
    void aQueryWaitsForTheTokenEventsWrittenBeforeIt() throws Exception {
        assertThat(tokensSeenByAQuerySentInsideAnOpenTransaction(5_000, false)).isEqualTo(FIRST + SECOND);
    }

    @Test
    void withoutIdlingTheQueryOvertakesThem() throws Exception {
        // Kafka Streams' own default: this is what LtmConfig's max.task.idle.ms prevents
        assertThat(tokensSeenByAQuerySentInsideAnOpenTransaction(0, true)).isEqualTo(FIRST);
    }

    static EncodedTokens tokens(Random rnd, int count) {
        float[] v = new float[count * DIM];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return EncodedTokens.newBuilder()
                .setVectors(MemoryStateCodec.block(v, count, DIM, CoefficientPrecision.FLOAT32))
                .setSource(io.ltm.schemas.SourcePosition.newBuilder()
                        .setTopic("ltm.events")
                        .setPartition(0)
                        .setOffset(count)
                        .setTimestamp(Instant.now())
                        .setSourceId(null)
                        .build())
                .build();
    }
}
