package io.ltm.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.embedded.EmbeddedKafkaBroker;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.registry.LocalRegistry;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.testutils.SmallMemory;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.worker.EncodeWorker;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events and a query from Confluent's Python client at its default settings (librdkafka's consistent_random
 * partitioner, CRC32 of the key) land on other partitions than Java's murmur2 puts the key's tokens; the encode
 * worker re-keys the events and the node re-keys the query, so the answer comes from the key's memory. A Java
 * producer that picks the partition itself gets the same.
 */
class ForeignPartitionerTest {
    static final int PARTITIONS = 4;
    static final int DIM = SmallMemory.INTEROP.dim();
    static final ObjectMapper JSON = new ObjectMapper();

    static EmbeddedKafkaBroker kafka;
    static LocalRegistry registry;

    @TempDir
    static Path tmp;

    static Path script;

    @BeforeAll
    static void start() throws Exception {
        String why = ConfluentPythonInteropTest.pythonClientMissing();
        Assumptions.assumeTrue(
                why == null,
                () -> "skipped: Confluent's Python client is not usable here (" + why
                        + "); install python3-confluent-kafka python3-avro python3-requests");
        script = tmp.resolve("confluent_avro.py");
        try (InputStream in = ForeignPartitionerTest.class.getResourceAsStream("confluent_avro.py")) {
            Files.copy(in, script);
        }
        registry = LocalRegistry.start();
        kafka = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
        if (registry != null) registry.close();
    }

    static int crc32Partition(String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % PARTITIONS);
    }

    static int murmur2Partition(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    /** A key whose CRC32 partition is not its murmur2 partition. */
    static String foreignKey(String prefix) {
        for (int i = 0; ; i++) {
            String k = prefix + i;
            if (crc32Partition(k) != murmur2Partition(k)) return k;
        }
    }

    LtmConfig config() {
        Map<String, Object> m = new HashMap<>();
        m.put(LtmConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        m.put(LtmConfig.SCHEMA_REGISTRY_URL, registry.url());
        m.put(LtmConfig.APPLICATION_ID, "foreign-" + UUID.randomUUID());
        m.put(LtmConfig.STATE_DIR, tmp.resolve("state-" + UUID.randomUUID()).toString());
        m.put(LtmConfig.TOPIC_PARTITIONS, PARTITIONS);
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
        m.putAll(SmallMemory.INTEROP.entries());
        m.put("commit.interval.ms", 50);
        LtmConfig c = new LtmConfig(m);
        kafka.createTopics(c.topicPartitions(), Map.of());
        return c;
    }

    @Test
    void eventsAndAQueryFromLibrdkafkasDefaultPartitionerReachTheKeysMemory() throws Exception {
        LtmConfig config = config();
        String key = foreignKey("py-user-");
        String events = config.getString(LtmConfig.TOPIC_EVENTS);
        String queries = config.getString(LtmConfig.TOPIC_QUERIES);
        List<String> lines =
                List.of("the invoice was paid late", "finance asked about late fees", "the weather is sunny today");
        try (HashingEncoder encoder = new HashingEncoder(DIM);
                MemoryNode node = MemoryNode.start(config, encoder);
                EncodeWorker worker = new EncodeWorker(config, encoder, "foreign");
                Responses responses = new Responses(config)) {
            node.awaitRunning(Duration.ofSeconds(60));
            worker.start();

            // 1. events from Python, keyed, default partitioner
            ObjectNode spec = spec();
            ArrayNode records = spec.putArray("records");
            for (int i = 0; i < lines.size(); i++) {
                TokenEvent e = TokenEvent.newBuilder()
                        .setText(lines.get(i))
                        .setVectors(null)
                        .setTokens(null)
                        .setEventTime(Instant.ofEpochMilli(1_764_100_000_000L + i))
                        .setSourceId("py-" + i)
                        .build();
                records.addObject()
                        .put("topic", events)
                        .put("api", "serializer")
                        .put("key", key)
                        .put("schema", TokenEvent.getClassSchema().toString())
                        .set("value", ConfluentPythonInteropTest.plain(e));
            }
            JsonNode produced = python(spec);
            for (JsonNode p : produced.get("partitions")) {
                assertThat(p.asInt())
                        .as("librdkafka's default partitioner is CRC32")
                        .isEqualTo(crc32Partition(key))
                        .isNotEqualTo(murmur2Partition(key));
            }
            long tokens;
            try (HashingEncoder e = new HashingEncoder(DIM)) {
                tokens = lines.stream().mapToLong(s -> e.encode(s).count()).sum();
            }
            awaitTokens(node, key, tokens);

            // 2. a query from Python, keyed, default partitioner
            MemoryQuery q = MemoryQuery.newBuilder()
                    .setQueryId("py-q-" + UUID.randomUUID())
                    .setKey(key)
                    .setText("late invoice fees")
                    .setVectors(null)
                    .setOptions(QueryOptions.newBuilder().setSpans(1).build())
                    .setRequestedAt(Instant.now())
                    .build();
            spec = spec();
            spec.putArray("records")
                    .addObject()
                    .put("topic", queries)
                    .put("api", "serializer")
                    .put("key", key)
                    .put("schema", MemoryQuery.getClassSchema().toString())
                    .set("value", ConfluentPythonInteropTest.plain(q));
            produced = python(spec);
            assertThat(produced.get("partitions").get(0).asInt()).isEqualTo(crc32Partition(key));
            MemoryResponse r = responses.await(q.getQueryId(), Duration.ofSeconds(60));
            assertThat(r.getError()).isNull();
            assertThat(r.getFound()).as("answered from the key's memory").isTrue();
            assertThat(r.getStats().getTokensAbsorbed()).isEqualTo(tokens);

            // 3. a Java producer that chooses the partition itself: any partition but the key's
            try (KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(producerProps(), new StringSerializer(), new ByteArraySerializer())) {
                for (int p = 0; p < PARTITIONS; p++) {
                    if (p == murmur2Partition(key)) continue;
                    MemoryQuery qp = MemoryQuery.newBuilder(q)
                            .setQueryId("java-p" + p + "-" + UUID.randomUUID())
                            .build();
                    RecordMetadata meta = producer.send(new ProducerRecord<>(
                                    queries,
                                    p,
                                    key,
                                    LtmSerdes.avro(MemoryQuery.class, config.serdeConfig())
                                            .serializer()
                                            .serialize(queries, qp)))
                            .get();
                    assertThat(meta.partition()).isEqualTo(p);
                    MemoryResponse rp = responses.await(qp.getQueryId(), Duration.ofSeconds(60));
                    assertThat(rp.getFound())
                            .as("query sent to partition %d", p)
                            .isTrue();
                    assertThat(rp.getStats().getTokensAbsorbed()).isEqualTo(tokens);
                }
            }
            // Streams created the internal topics with the tokens topic's partition count
            try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
                String appId = config.getString(LtmConfig.APPLICATION_ID);
                var described = admin.describeTopics(List.of(
                                appId + "-ltm-queries-by-key-repartition", appId + "-ltm-control-by-key-repartition"))
                        .allTopicNames()
                        .get();
                assertThat(described.values())
                        .allSatisfy(t -> assertThat(t.partitions()).hasSize(PARTITIONS));
            }
        }
    }

    Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    static void awaitTokens(MemoryNode node, String key, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Object n = node.describe(key).get("tokensAbsorbed");
            if (n != null && ((Number) n).longValue() >= atLeast) return;
            Thread.sleep(100);
        }
        throw new AssertionError("key " + key + " never reached " + atLeast + " tokens: " + node.describe(key));
    }

    ObjectNode spec() {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("bootstrap", kafka.bootstrapServers());
        spec.put("registry", registry.url());
        return spec;
    }

    JsonNode python(ObjectNode spec) throws Exception {
        Path specFile = Files.createTempFile(tmp, "produce", ".json");
        Files.writeString(specFile, spec.toString());
        Path errFile = Files.createTempFile(tmp, "produce", ".stderr");
        Process p = new ProcessBuilder(
                        ConfluentPythonInteropTest.PYTHON, script.toString(), "produce", specFile.toString())
                .redirectError(errFile.toFile())
                .start();
        String stdout;
        try (InputStream o = p.getInputStream()) {
            stdout = new String(o.readAllBytes(), StandardCharsets.UTF_8);
        }
        boolean done = p.waitFor(90, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        assertThat(done && p.exitValue() == 0)
                .as("python failed:\n%s\n%s", stdout, Files.readString(errFile))
                .isTrue();
        return JSON.readTree(stdout.strip());
    }

    /** Reads the responses topic (read_committed) and hands out answers by query id. */
    static final class Responses implements AutoCloseable {
        final KafkaConsumer<String, MemoryResponse> consumer;
        final Map<String, MemoryResponse> seen = new HashMap<>();

        Responses(LtmConfig config) {
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(LtmConfig.BOOTSTRAP_SERVERS));
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "responses-" + UUID.randomUUID());
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(
                    c,
                    new StringDeserializer(),
                    LtmSerdes.avro(MemoryResponse.class, config.serdeConfig()).deserializer());
            consumer.subscribe(List.of(config.getString(LtmConfig.TOPIC_RESPONSES)));
        }

        MemoryResponse await(String queryId, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!seen.containsKey(queryId)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "no answer to " + queryId + " within " + timeout + "; got " + seen.keySet());
                }
                for (ConsumerRecord<String, MemoryResponse> r : consumer.poll(Duration.ofMillis(100))) {
                    seen.put(r.value().getQueryId(), r.value());
                }
            }
            return seen.get(queryId);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
