package io.ltm.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.LocalCluster;
import io.ltm.testutils.it.MemoryProgress;
import io.ltm.testutils.it.TopicReader;
import io.ltm.topology.api.AttentionMode;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.internal.Names;
import io.ltm.topology.worker.AttentionWorker;
import io.ltm.topology.worker.EncodeWorker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
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

    static LocalCluster cluster;

    @TempDir
    static Path tmp;

    static Path script;

    @BeforeAll
    static void start() throws Exception {
        ConfluentPython.assumeInstalled();
        script = ConfluentPython.script("confluent_avro.py", tmp);
        cluster = LocalCluster.start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
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
        return config(Map.of());
    }

    LtmConfig config(Map<String, Object> settings) {
        var node = cluster.node("foreign")
                .stateUnder(tmp)
                .partitions(PARTITIONS)
                .topicsOfItsOwn()
                .memory(SmallMemory.INTEROP)
                .set("commit.interval.ms", 50);
        settings.forEach(node::set);
        LtmConfig c = new LtmConfig(node.entries());
        cluster.createTopics(c.topicPartitions());
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
                TopicReader<MemoryResponse> responses = responses(config)) {
            node.awaitRunning(Duration.ofSeconds(60));
            worker.start();

            // 1. events from Python, keyed, default partitioner
            JsonNode produced = produceEvents(events, key, lines);
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
            MemoryProgress.awaitTokens(node::describe, key, tokens, Duration.ofSeconds(60));

            // 2. a query from Python, keyed, default partitioner
            MemoryQuery q = query("py-q-", key, "late invoice fees");
            assertThat(produceQuery(queries, q)).isEqualTo(crc32Partition(key));
            MemoryResponse r = answer(responses, q.getQueryId());
            assertThat(r.getError()).isNull();
            assertThat(r.getFound()).as("answered from the key's memory").isTrue();
            assertThat(r.getStats().getTokensAbsorbed()).isEqualTo(tokens);

            // 3. a Java producer that chooses the partition itself: any partition but the key's
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    cluster.producerProperties(), new StringSerializer(), new ByteArraySerializer())) {
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
                    MemoryResponse rp = answer(responses, qp.getQueryId());
                    assertThat(rp.getFound())
                            .as("query sent to partition %d", p)
                            .isTrue();
                    assertThat(rp.getStats().getTokensAbsorbed()).isEqualTo(tokens);
                }
            }
            // the node wrote each query again to the key's murmur2 partition, naming where its producer wrote it
            try (TopicReader<MemoryQuery> all =
                    new TopicReader<>(cluster.bootstrapServers(), queries, MemoryQuery.class, config.serdeConfig())) {
                all.awaitCount(2 * PARTITIONS, Duration.ofSeconds(30));
                all.poll(Duration.ofSeconds(1));
                Map<Boolean, List<ConsumerRecord<String, MemoryQuery>>> byCopy = all.records().stream()
                        .collect(Collectors.partitioningBy(
                                rec -> rec.headers().lastHeader(Names.HEADER_ROUTED_FROM) != null));
                assertThat(byCopy.get(true))
                        .hasSize(PARTITIONS)
                        .allSatisfy(c -> assertThat(c.partition()).isEqualTo(murmur2Partition(key)));
                assertThat(byCopy.get(true).stream()
                                .map(c -> new String(
                                        c.headers()
                                                .lastHeader(Names.HEADER_ROUTED_FROM)
                                                .value(),
                                        StandardCharsets.US_ASCII))
                                .toList())
                        .containsExactlyInAnyOrderElementsOf(byCopy.get(false).stream()
                                .map(o -> o.partition() + ":" + o.offset())
                                .toList());
            }
            // no internal topic carries them
            try (org.apache.kafka.clients.admin.Admin admin = cluster.admin()) {
                String appId = config.getString(LtmConfig.APPLICATION_ID);
                assertThat(admin.listTopics().names().get())
                        .noneMatch(t -> t.startsWith(appId) && t.endsWith("-repartition"));
            }
        }
    }

    @Test
    void withTheCrc32PlacementAPythonClientsEventsAndQueriesReachTheMemoryWithoutTheDetourThroughTheWorkerToo()
            throws Exception {
        LtmConfig config = config(
                Map.of(LtmConfig.KEY_PLACEMENT, "crc32", LtmConfig.ATTENTION_MODE, AttentionMode.WORKER.configValue()));
        String key = foreignKey("py-crc32-");
        String queries = config.getString(LtmConfig.TOPIC_QUERIES);
        List<String> lines = List.of("the boiler pressure dropped at night", "a plumber fixed the boiler valve");
        try (HashingEncoder encoder = new HashingEncoder(DIM);
                MemoryNode node = MemoryNode.start(config, encoder);
                EncodeWorker worker = new EncodeWorker(config, encoder, "foreign-crc32");
                AttentionWorker attention = new AttentionWorker(config, encoder, "foreign-crc32");
                TopicReader<MemoryResponse> responses = responses(config)) {
            node.awaitRunning(Duration.ofSeconds(60));
            worker.start();
            attention.start();

            produceEvents(config.getString(LtmConfig.TOPIC_EVENTS), key, lines);
            long tokens;
            try (HashingEncoder e = new HashingEncoder(DIM)) {
                tokens = lines.stream().mapToLong(s -> e.encode(s).count()).sum();
            }
            MemoryProgress.awaitTokens(node::describe, key, tokens, Duration.ofSeconds(60));
            // the encode worker wrote the key's tokens where librdkafka puts the key
            try (TopicReader<EncodedTokens> written = new TopicReader<>(
                    cluster.bootstrapServers(),
                    config.getString(LtmConfig.TOPIC_TOKENS),
                    EncodedTokens.class,
                    config.serdeConfig())) {
                written.awaitCount(lines.size(), Duration.ofSeconds(30));
                assertThat(written.records())
                        .allSatisfy(r -> assertThat(r.partition()).isEqualTo(crc32Partition(key)));
            }

            // two queries from Python at its default settings, answered by the attention worker
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                MemoryQuery q = query("py-crc32-q" + i + "-", key, "boiler valve");
                assertThat(produceQuery(queries, q)).isEqualTo(crc32Partition(key));
                MemoryResponse r = answer(responses, q.getQueryId());
                assertThat(r.getError()).isNull();
                assertThat(r.getFound()).as("answered from the key's memory").isTrue();
                assertThat(r.getStats().getTokensAbsorbed()).isEqualTo(tokens);
                ids.add(q.getQueryId());
            }
            // at most the node's first record takes the detour (it learns the partition count from it); the second
            // query was read where Python wrote it and answered from there
            try (TopicReader<MemoryQuery> all =
                    new TopicReader<>(cluster.bootstrapServers(), queries, MemoryQuery.class, config.serdeConfig())) {
                all.awaitCount(2, Duration.ofSeconds(30));
                all.poll(Duration.ofSeconds(1));
                List<ConsumerRecord<String, MemoryQuery>> second = all.records().stream()
                        .filter(r ->
                                r.value() != null && ids.get(1).equals(r.value().getQueryId()))
                        .toList();
                assertThat(second)
                        .singleElement()
                        .satisfies(r -> assertThat(r.headers().lastHeader(Names.HEADER_ROUTED_FROM))
                                .isNull());
            }
        }
    }

    static TopicReader<MemoryResponse> responses(LtmConfig config) {
        return new TopicReader<>(
                cluster.bootstrapServers(),
                config.getString(LtmConfig.TOPIC_RESPONSES),
                MemoryResponse.class,
                config.serdeConfig());
    }

    static MemoryResponse answer(TopicReader<MemoryResponse> responses, String queryId) {
        return responses.await(r -> queryId.equals(r.getQueryId()), "answer to " + queryId, Duration.ofSeconds(60));
    }

    static MemoryQuery query(String idPrefix, String key, String text) {
        return MemoryQuery.newBuilder()
                .setQueryId(idPrefix + UUID.randomUUID())
                .setKey(key)
                .setText(text)
                .setVectors(null)
                .setOptions(QueryOptions.newBuilder().setSpans(1).build())
                .setRequestedAt(Instant.now())
                .build();
    }

    /** Text events from Python, keyed, at its default settings: what it printed (the partitions among it). */
    JsonNode produceEvents(String topic, String key, List<String> lines) throws Exception {
        ObjectNode spec = ConfluentPythonInteropTest.spec(cluster);
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
                    .put("topic", topic)
                    .put("api", "serializer")
                    .put("key", key)
                    .put("schema", TokenEvent.getClassSchema().toString())
                    .set("value", ConfluentPythonInteropTest.plain(e));
        }
        return produce(spec);
    }

    /** A query from Python, keyed, at its default settings: the partition it was written to. */
    int produceQuery(String topic, MemoryQuery q) throws Exception {
        ObjectNode spec = ConfluentPythonInteropTest.spec(cluster);
        spec.putArray("records")
                .addObject()
                .put("topic", topic)
                .put("api", "serializer")
                .put("key", q.getKey())
                .put("schema", MemoryQuery.getClassSchema().toString())
                .set("value", ConfluentPythonInteropTest.plain(q));
        return produce(spec).get("partitions").get(0).asInt();
    }

    JsonNode produce(ObjectNode spec) throws Exception {
        return ConfluentPython.run(script, "produce", spec, Duration.ofSeconds(90))
                .get(0);
    }
}
