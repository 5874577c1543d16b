package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.registry.LocalRegistry;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.codec.MemoryStateCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    static final int DIM = 16;
    static final int FIRST = 5;
    static final int SECOND = 7;

    static EmbeddedKafkaBroker kafka;
    static LocalRegistry registry;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        registry = LocalRegistry.start();
        kafka = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
        if (registry != null) registry.close();
    }

    LtmConfig config(long maxTaskIdleMs) {
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, registry.url());
        m.put(LtmConfig.APPLICATION_ID, "ryw-" + UUID.randomUUID());
        m.put(LtmConfig.STATE_DIR, tmp.resolve("state-" + UUID.randomUUID()).toString());
        m.put(LtmConfig.TOPIC_PARTITIONS, 1);
        String suffix = "-" + UUID.randomUUID().toString().substring(0, 8);
        for (String t : List.of(
                LtmConfig.TOPIC_EVENTS,
                LtmConfig.TOPIC_TOKENS,
                LtmConfig.TOPIC_QUERIES,
                LtmConfig.TOPIC_QUERY_REQUESTS,
                LtmConfig.TOPIC_CONTROL,
                LtmConfig.TOPIC_RESPONSES,
                LtmConfig.TOPIC_ATTENTION_REQUESTS,
                LtmConfig.TOPIC_DLQ)) {
            m.put(t, t.substring("ltm.topic.".length()) + suffix);
        }
        m.put(LtmConfig.MEMORY_DIM, DIM);
        m.put(LtmConfig.MEMORY_BASIS_SIZE, 16);
        m.put(LtmConfig.MEMORY_BASIS_WIDTHS, "0.05,0.1");
        m.put(LtmConfig.MEMORY_CONTRACTION_LENGTH, 64);
        m.put(LtmConfig.MEMORY_SAMPLES, 16);
        m.put(LtmConfig.MEMORY_STICKY_BINS, 8);
        m.put(LtmConfig.ENCODER, "hashing");
        m.put(LtmConfig.MAX_TASK_IDLE_MS, maxTaskIdleMs);
        LtmConfig c = new LtmConfig(m);
        kafka.createTopics(c.topicPartitions(), Map.of());
        return c;
    }

    /** Tokens absorbed when the query was answered: FIRST + SECOND if it waited for the second event. */
    long tokensSeenByAQuerySentInsideAnOpenTransaction(long maxTaskIdleMs) throws Exception {
        LtmConfig config = config(maxTaskIdleMs);
        String tokensTopic = config.getString(LtmConfig.TOPIC_TOKENS);
        Properties tx = new Properties();
        tx.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
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
            awaitTokens(node, "k", FIRST); // the tokens input has just run dry

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
            Thread.sleep(1500); // the query passes the repartition hop and reaches the task meanwhile
            writer.commitTransaction();
            MemoryResponse r = answer.get();
            assertThat(r.getFound()).isTrue();
            return r.getStats().getTokensAbsorbed();
        }
    }

    @Test
    void aQueryWaitsForTheTokenEventsWrittenBeforeIt() throws Exception {
        assertThat(tokensSeenByAQuerySentInsideAnOpenTransaction(5_000)).isEqualTo(FIRST + SECOND);
    }

    @Test
    void withoutIdlingTheQueryOvertakesThem() throws Exception {
        // Kafka Streams' own default: this is what LtmConfig's max.task.idle.ms prevents
        assertThat(tokensSeenByAQuerySentInsideAnOpenTransaction(0)).isEqualTo(FIRST);
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

    static void awaitTokens(MemoryNode node, String key, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Object n = node.describe(key).get("tokensAbsorbed");
            if (n != null && ((Number) n).longValue() >= atLeast) return;
            Thread.sleep(20);
        }
        throw new AssertionError("key " + key + " never reached " + atLeast + " tokens: " + node.describe(key));
    }
}
