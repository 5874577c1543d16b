package io.ltm.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.ltm.model.LongTermMemory;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadRequest;
import io.ltm.model.ReadResult;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.AttendedSpan;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.RereadEvent;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.NodeSettings;
import io.ltm.topology.api.AttentionMode;
import io.ltm.topology.api.Crc32Placement;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.api.Murmur2Placement;
import io.ltm.topology.internal.InputValidator;
import io.ltm.topology.internal.LocalMemories;
import io.ltm.topology.internal.QueryVectors;
import io.ltm.topology.internal.Responses;
import io.ltm.topology.worker.AttentionWorker;
import io.ltm.topology.worker.EncodeWorker;
import io.ltm.topology.worker.RereadWorker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End-to-end scenarios on a real broker and a real schema registry, through Avro on every topic: text events
 * through the encode worker into memory, questions answered in line and by the attention worker, bad input to
 * the dead-letter topic, forget, the HTTP endpoint. Subclasses supply the broker and the registry.
 */
abstract class EndToEndScenarios {

    /** A small memory (d = 64, N = 64, L = 32) and the hashing encoder keep the scenarios fast on 2 cores. */
    static final int DIM = SmallMemory.END_TO_END.dim();

    @TempDir
    Path stateDir;

    abstract String bootstrapServers();

    abstract String registryUrl();

    abstract void createTopics(Map<String, Integer> partitions);

    LtmConfig config(String attentionMode) {
        return config(attentionMode, Map.of());
    }

    LtmConfig config(String attentionMode, Map<String, Object> extra) {
        NodeSettings settings = new NodeSettings(bootstrapServers(), registryUrl(), "ltm-it")
                .set(LtmConfig.STATE_DIR, stateDir.toString())
                .partitions(2)
                .topicsOfItsOwn()
                .memory(SmallMemory.END_TO_END)
                .set(LtmConfig.ATTENTION_MODE, attentionMode)
                .set(LtmConfig.HTTP_PORT, 0)
                .set("commit.interval.ms", 50);
        extra.forEach(settings::set);
        LtmConfig c = new LtmConfig(settings.entries());
        createTopics(c.topicPartitions());
        return c;
    }

    /** Two topics, far apart in one stream: the answer must point to the right stretch. */
    static final List<String> STORY = List.of(
            "the quarterly invoice for the data center was paid late",
            "finance asked about the invoice payment terms and late fees",
            "the invoice total included power and cooling for the racks",
            "weather today is sunny with a light breeze from the west",
            "tomorrow brings rain clouds and a cold wind over the hills",
            "the forecast for the weekend says snow in the mountains",
            "storm warnings were issued for the coast on sunday night",
            "the kitchen menu offers soup bread cheese and apple pie",
            "dinner tonight is pasta with tomato sauce and basil leaves",
            "breakfast was eggs toast coffee and fresh orange juice");

    private void sendStory(LtmClient client, String key) {
        for (int i = 0; i < STORY.size(); i++) {
            client.sendText(key, STORY.get(i), key + ":" + i);
        }
    }

    private static void awaitTokens(MemoryNode node, String key, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Object n = node.describe(key).get("tokensAbsorbed");
            if (((Number) n).longValue() >= atLeast) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("key " + key + " never reached " + atLeast + " tokens: " + node.describe(key));
    }

    static long storyTokens() {
        try (HashingEncoder e = new HashingEncoder(DIM)) {
            return STORY.stream().mapToLong(s -> e.encode(s).count()).sum();
        }
    }

    private void answersFromMemory(String attentionMode) throws Exception {
        LtmConfig config = config(attentionMode);
        try (HashingEncoder encoder = new HashingEncoder(DIM);
                MemoryNode node = MemoryNode.start(config, encoder);
                EncodeWorker enc = new EncodeWorker(config, encoder, "it");
                AttentionWorker att = new AttentionWorker(config, encoder, "it");
                LtmClient client = new LtmClient(config)) {
            node.awaitRunning(Duration.ofSeconds(60));
            enc.start();
            att.start();
            sendStory(client, "user-1");
            awaitTokens(node, "user-1", storyTokens());

            // in worker mode the whole path is workers: the encode worker encodes the question, the node hands
            // the memory to the attention worker, which answers
            String question = "snow storm rain wind forecast";
            MemoryResponse r = attentionMode.equals(AttentionMode.WORKER.configValue())
                    ? client.queryThroughEncodeWorker("user-1", question, 1, Duration.ofSeconds(30))
                    : client.query("user-1", question, 1, Duration.ofSeconds(30));
            assertThat(r.getError()).isNull();
            assertThat(r.getFound()).isTrue();
            assertThat(r.getAnsweredBy())
                    .isEqualTo(
                            attentionMode.equals(AttentionMode.WORKER.configValue())
                                    ? "attention-worker"
                                    : "memory-node");
            assertThat(r.getStats().getTokensAbsorbed()).isEqualTo(storyTokens());
            assertThat(r.getStats().getContractions()).isGreaterThanOrEqualTo(1);
            AttendedSpan span = r.getSpans().get(0);
            assertThat(span.getFrom().getSourceId()).startsWith("user-1:");
            int from = Integer.parseInt(span.getFrom().getSourceId().substring(7));
            int to = Integer.parseInt(span.getTo().getSourceId().substring(7));
            // the weather lines are events 3..6: the attended stretch must overlap them
            assertThat(from).isLessThanOrEqualTo(6);
            assertThat(to).isGreaterThanOrEqualTo(3);

            if (attentionMode.equals(AttentionMode.WORKER.configValue())) {
                // where the worker's read attended comes back to the node for sticky resampling
                var attention = node.streams()
                        .store(org.apache.kafka.streams.StoreQueryParameters.fromNameAndType(
                                io.ltm.topology.internal.Names.STORE_ATTENTION,
                                org.apache.kafka.streams.state.QueryableStoreTypes.<String, double[]>keyValueStore()));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (attention.get("user-1") == null && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(attention.get("user-1")).isNotNull();

                // the worker answers from its replica of the node's changelogs exactly as the node answers in line
                MemoryQuery detailed = MemoryQuery.newBuilder()
                        .setQueryId(UUID.randomUUID().toString())
                        .setKey("user-1")
                        .setText(question)
                        .setRequestedAt(Instant.now())
                        .setOptions(QueryOptions.newBuilder()
                                .setSpans(2)
                                .setIncludeContext(true)
                                .build())
                        .build();
                MemoryResponse viaWorker = client.query(detailed, Duration.ofSeconds(30));
                assertSameAsInline(config, encoder, node, detailed, viaWorker);

                // a second worker joins the group: the partitions are shared again, and whichever worker gets
                // user-1's partition rebuilds its replica from the changelogs before it answers
                try (AttentionWorker second = new AttentionWorker(config, encoder, "it-2")) {
                    second.start();
                    MemoryQuery again = MemoryQuery.newBuilder(detailed)
                            .setQueryId(UUID.randomUUID().toString())
                            .build();
                    assertSameAsInline(config, encoder, node, again, client.query(again, Duration.ofSeconds(60)));
                }
            }

            MemoryResponse unknown = client.query("nobody", "hello", 1, Duration.ofSeconds(30));
            assertThat(unknown.getFound()).isFalse();
        }
    }

    /** The answer the node would give in line: the same read of the node's own stores. */
    private static void assertSameAsInline(
            LtmConfig config, HashingEncoder encoder, MemoryNode node, MemoryQuery q, MemoryResponse viaWorker) {
        assertThat(viaWorker.getError()).isNull();
        assertThat(viaWorker.getAnsweredBy()).isEqualTo(Responses.BY_WORKER);
        MemoryState state = new LocalMemories(node.streams(), config).load(q.getKey());
        try (LongTermMemory engine = LongTermMemory.create(config.memoryConfig(), Device.cpu())) {
            QueryVectors.Encoded v = new QueryVectors(encoder, InputValidator.of(config)).of(q);
            ReadResult inline = engine.read(new ReadRequest(
                    null,
                    state,
                    v.vectors(),
                    v.count(),
                    Responses.options(q.getOptions(), config.getInt(LtmConfig.QUERY_MAX_SPANS)),
                    v.tokens()));
            MemoryResponse expected = Responses.answer(
                    q,
                    inline,
                    Responses.stats(state, viaWorker.getStats().getStateBytes()),
                    Responses.BY_WORKER,
                    viaWorker.getAnsweredAt().toEpochMilli());
            assertThat(state.shortTermCount())
                    .as("the story leaves a short-term part to replicate")
                    .isPositive();
            assertThat(viaWorker.getSpans()).isNotEmpty().isEqualTo(expected.getSpans());
            // the worker's replica has the term filter too (kept apart by segment in the node's stores)
            assertThat(viaWorker.getSpans().get(0).getTermMatch()).isPositive();
            assertThat(viaWorker.getContext()).isNotEmpty().isEqualTo(expected.getContext());
            assertThat(viaWorker.getShortTermHits()).isNotEmpty().isEqualTo(expected.getShortTermHits());
            assertThat(viaWorker.getStats()).isEqualTo(expected.getStats());
        }
    }

    @Test
    void textEventsAreEncodedRememberedAndQueriedInLine() throws Exception {
        answersFromMemory(AttentionMode.INLINE.configValue());
    }

    @Test
    void inWorkerModeTheAttentionWorkerAnswers() throws Exception {
        answersFromMemory(AttentionMode.WORKER.configValue());
    }

    /**
     * The two-stage read: the memory's span says where, the reread worker reads that stretch of the events topic
     * back and names the exact event, with its record and its text.
     */
    private void twoStageRead(String attentionMode) throws Exception {
        LtmConfig config = config(attentionMode);
        try (HashingEncoder encoder = new HashingEncoder(DIM);
                MemoryNode node = MemoryNode.start(config, encoder);
                EncodeWorker enc = new EncodeWorker(config, encoder, "it");
                AttentionWorker att = new AttentionWorker(config, encoder, "it");
                RereadWorker reread = new RereadWorker(config, encoder, "it");
                LtmClient client = new LtmClient(config)) {
            node.awaitRunning(Duration.ofSeconds(60));
            enc.start();
            att.start();
            reread.start();
            sendStory(client, "user-5");
            awaitTokens(node, "user-5", storyTokens());

            QueryOptions options =
                    QueryOptions.newBuilder().setSpans(1).setRereadTokens(48).build();
            String question = "snow in the mountains this weekend";
            MemoryResponse r = attentionMode.equals(AttentionMode.WORKER.configValue())
                    ? client.queryThroughEncodeWorker("user-5", question, options, Duration.ofSeconds(30))
                    : client.query("user-5", question, options, Duration.ofSeconds(30));
            assertThat(r.getError()).isNull();
            assertThat(r.getSpans()).hasSize(1);
            assertThat(r.getReread()).startsWith("re-read 1 stretches:");
            assertThat(r.getEvents()).hasSize(1);
            RereadEvent best = r.getEvents().get(0);
            assertThat(best.getText()).isEqualTo(STORY.get(5));
            assertThat(best.getSource().getSourceId()).isEqualTo("user-5:5");
            assertThat(best.getSource().getTopic()).isEqualTo(config.getString(LtmConfig.TOPIC_EVENTS));
            assertThat(best.getScore()).isGreaterThan(0.5);

            // without the option the same question is answered by the memory alone, as before
            MemoryResponse plain = attentionMode.equals(AttentionMode.WORKER.configValue())
                    ? client.queryThroughEncodeWorker("user-5", question, 1, Duration.ofSeconds(30))
                    : client.query("user-5", question, 1, Duration.ofSeconds(30));
            assertThat(plain.getEvents()).isEmpty();
            assertThat(plain.getReread()).isNull();
        }
    }

    @Test
    void aTwoStageReadNamesTheExactEventReReadFromTheLog() throws Exception {
        twoStageRead(AttentionMode.INLINE.configValue());
    }

    @Test
    void aTwoStageReadWorksWhenTheAttentionWorkerAnswers() throws Exception {
        twoStageRead(AttentionMode.WORKER.configValue());
    }

    @Test
    void badInputGoesToTheDeadLetterTopicForgetErasesAndTheHttpEndpointServesStatsAndMetrics() throws Exception {
        LtmConfig config = config(AttentionMode.INLINE.configValue());
        try (HashingEncoder encoder = new HashingEncoder(DIM);
                MemoryNode node = MemoryNode.start(config, encoder);
                EncodeWorker enc = new EncodeWorker(config, encoder, "it");
                LtmClient client = new LtmClient(config)) {
            node.awaitRunning(Duration.ofSeconds(60));
            enc.start();
            sendStory(client, "user-2");
            awaitTokens(node, "user-2", storyTokens());

            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            try (KafkaProducer<String, byte[]> raw =
                    new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(config.getString(LtmConfig.TOPIC_TOKENS), "user-2", new byte[] {7, 7, 7}))
                        .get();
                raw.send(new ProducerRecord<>(
                                config.getString(LtmConfig.TOPIC_EVENTS), "user-2", new byte[] {0, 0, 0, 0, 1}))
                        .get();
            }
            List<DeadLetter> dead = readAll(config, config.getString(LtmConfig.TOPIC_DLQ), DeadLetter.class, 2);
            assertThat(dead)
                    .extracting(DeadLetter::getTopic)
                    .containsExactlyInAnyOrder(
                            config.getString(LtmConfig.TOPIC_TOKENS), config.getString(LtmConfig.TOPIC_EVENTS));
            assertThat(node.describe("user-2").get("tokensAbsorbed")).isEqualTo(storyTokens());

            HttpClient http = HttpClient.newHttpClient();
            String stats = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/keys/user-2"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(stats).contains("\"tokensAbsorbed\":" + storyTokens()).contains("\"timeline\"");
            String metrics = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics)
                    .contains("tokens_absorbed")
                    .contains("dead_letters")
                    .contains("kafka_stream_ltm_b_cache_hit_ratio")
                    .contains("ltm_hanging_transactions_aborted_total 0.0");
            // the same sensors are Kafka Streams metrics, so JMX has them too
            var jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            double absorbed = 0;
            for (var name : jmx.queryNames(
                    new javax.management.ObjectName("kafka.streams:type=stream-ltm-metrics,task-id=*"), null)) {
                absorbed += ((Number) jmx.getAttribute(name, "tokens-absorbed-total")).doubleValue();
            }
            assertThat(absorbed).isGreaterThanOrEqualTo(storyTokens());

            client.forget("user-2");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (Boolean.TRUE.equals(node.describe("user-2").get("found")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(node.describe("user-2").get("found")).isEqualTo(false);
            assertThat(client.query("user-2", "invoice", 1, Duration.ofSeconds(30))
                            .getFound())
                    .isFalse();
        }
    }

    /** With either placement: the owner is found by the node's placement, not by the Java producer's murmur2. */
    @ParameterizedTest
    @ValueSource(strings = {"murmur2", "crc32"})
    void anyInstanceAnswersTheHttpStatsOfAKeyByAskingTheInstanceThatOwnsIt(String placement) throws Exception {
        LtmConfig first = config(AttentionMode.INLINE.configValue(), Map.of(LtmConfig.KEY_PLACEMENT, placement));
        Map<String, Object> shared = new HashMap<>(first.originals());
        int portA = freePort();
        int portB = freePort();
        Map<String, Object> a = new HashMap<>(shared);
        a.put(LtmConfig.HTTP_PORT, portA);
        a.put(LtmConfig.STATE_DIR, stateDir.resolve("a").toString());
        Map<String, Object> b = new HashMap<>(shared);
        b.put(LtmConfig.HTTP_PORT, portB);
        b.put(LtmConfig.STATE_DIR, stateDir.resolve("b").toString());
        LtmConfig ca = new LtmConfig(a);
        LtmConfig cb = new LtmConfig(b);
        try (HashingEncoder encoder = new HashingEncoder(DIM);
                MemoryNode nodeA = MemoryNode.start(ca, encoder);
                MemoryNode nodeB = MemoryNode.start(cb, encoder);
                EncodeWorker enc = new EncodeWorker(ca, encoder, "it");
                LtmClient client = new LtmClient(ca)) {
            nodeA.awaitRunning(Duration.ofSeconds(60));
            nodeB.awaitRunning(Duration.ofSeconds(60));
            enc.start();
            List<String> keys = List.of("k0", "k1", "k2", "k3", "k4", "k5");
            assertThat(keys)
                    .as("a key the two placements put on different partitions of 2")
                    .anyMatch(k -> new Murmur2Placement().partition(k.getBytes(StandardCharsets.UTF_8), 2)
                            != new Crc32Placement().partition(k.getBytes(StandardCharsets.UTF_8), 2));
            for (String k : keys) {
                client.sendText(k, "some words for key " + k, k);
            }
            HttpClient http = HttpClient.newHttpClient();
            java.util.Set<String> owners = new java.util.HashSet<>();
            for (String k : keys) {
                String viaA = awaitFound(http, portA, k);
                String viaB = awaitFound(http, portB, k);
                String owner = viaA.replaceAll(".*\"host\":\"([^\"]+)\".*", "$1");
                assertThat(viaB).contains("\"host\":\"" + owner + "\"");
                owners.add(owner);
            }
            // with 2 partitions and 6 keys both instances own some keys, so some answers were forwarded
            assertThat(owners).containsExactlyInAnyOrder("127.0.0.1:" + portA, "127.0.0.1:" + portB);
        }
    }

    private static String awaitFound(HttpClient http, int port, String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/keys/" + key))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            body = r.body();
            if (r.statusCode() == 200 && body.contains("\"found\":true")) {
                return body;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("key " + key + " not found via port " + port + ": " + body);
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    <T extends SpecificRecord> List<T> readAll(LtmConfig config, String topic, Class<T> type, int expected) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(
                c,
                new StringDeserializer(),
                LtmSerdes.avro(type, config.serdeConfig()).deserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
            // anything beyond the expected count would be a duplicate: look a little longer
            for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(1500))) {
                out.add(r.value());
            }
        }
        return out;
    }
}
