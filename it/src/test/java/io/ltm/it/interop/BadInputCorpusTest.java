package io.ltm.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.TokenEvent;
import io.ltm.testutils.SmallMemory;
import io.ltm.testutils.it.LocalCluster;
import io.ltm.testutils.it.MemoryProgress;
import io.ltm.testutils.it.TopicReader;
import io.ltm.topology.api.LtmClient;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryNode;
import io.ltm.topology.worker.EncodeWorker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counted bad-input corpus ({@code bad_corpus.py}): 40 kinds of bad records (framing, schema ids, truncated
 * and foreign Avro, empty, tombstones, missing, empty, NUL and non-UTF-8 keys, NaN and infinite vectors, wrong
 * dimensions and counts, texts and vector blocks just beyond the limits, multi-megabyte garbage) on the tokens,
 * events, queries and control topics, each several times, alternating with good records (among them records exactly
 * at the limits), all written by Confluent's Python client. Then: every bad record is in the dead-letter topic once,
 * under its own topic, partition and offset, with a reason; every good one is absorbed (exact token counts per key);
 * bad queries with an id are answered with an error; every input partition's committed offset reaches its end
 * (nothing stuck) and /health says so.
 */
class BadInputCorpusTest {
    static final int PARTITIONS = 3;
    static final int DIM = SmallMemory.NODE.dim();
    static final int MAX_TOKENS = 256;
    static final int MAX_CHARS = 600;
    static final int REPEAT = 3;
    /** Beyond the dead letter's limit (it is cut) and near the producers' max.request.size (8 MiB). */
    static final int HUGE_BYTES = 8_000_000;

    static final List<String> KEYS = List.of("host-a", "host-b", "user-ç", "k3");
    static final ObjectMapper JSON = ConfluentPython.JSON;

    static LocalCluster cluster;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        ConfluentPython.assumeInstalled();
        cluster = LocalCluster.start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void everyBadRecordIsDeadLetteredOnceWithAReasonEveryGoodOneIsAbsorbedAndNothingIsStuck() throws Exception {
        LtmConfig config = new LtmConfig(cluster.node("corpus")
                .stateUnder(tmp)
                .partitions(PARTITIONS)
                .memory(SmallMemory.NODE)
                .set(LtmConfig.INGEST_MAX_TOKENS, MAX_TOKENS)
                .set(LtmConfig.TEXT_MAX_CHARS, MAX_CHARS)
                .set(LtmConfig.HTTP_PORT, 0)
                .set("commit.interval.ms", 100)
                .entries());
        cluster.createTopics(config.topicPartitions(), Map.of("max.message.bytes", String.valueOf(10 << 20)));

        Path script = ConfluentPython.script("bad_corpus.py", tmp);
        ObjectNode spec = ConfluentPythonInteropTest.spec(cluster);
        ObjectNode topics = spec.putObject("topics");
        topics.put("tokens", config.getString(LtmConfig.TOPIC_TOKENS));
        topics.put("events", config.getString(LtmConfig.TOPIC_EVENTS));
        topics.put("queries", config.getString(LtmConfig.TOPIC_QUERIES));
        topics.put("control", config.getString(LtmConfig.TOPIC_CONTROL));
        ObjectNode schemas = spec.putObject("schemas");
        schemas.put("EncodedTokens", EncodedTokens.getClassSchema().toString());
        schemas.put("TokenEvent", TokenEvent.getClassSchema().toString());
        schemas.put("MemoryQuery", MemoryQuery.getClassSchema().toString());
        schemas.put("ControlCommand", ControlCommand.getClassSchema().toString());
        spec.put("dim", DIM);
        spec.put("max_tokens", MAX_TOKENS);
        spec.put("max_chars", MAX_CHARS);
        spec.put("repeat", REPEAT);
        spec.put("seed", 11);
        spec.put("huge_bytes", HUGE_BYTES);
        spec.putArray("keys")
                .addAll(KEYS.stream().map(JSON.getNodeFactory()::textNode).toList());

        try (HashingEncoder encoder = new HashingEncoder(DIM);
                MemoryNode node = MemoryNode.start(config, encoder);
                EncodeWorker worker = new EncodeWorker(config, encoder, "corpus");
                Admin admin = cluster.admin()) {
            node.awaitRunning(Duration.ofSeconds(60));
            worker.start();
            List<JsonNode> produced = ConfluentPython.run(script, null, spec, Duration.ofSeconds(180));

            Map<String, Long> expectedTokens = new TreeMap<>();
            Map<String, String> badAt = new HashMap<>(); // topic/partition/offset -> kind
            Map<String, String> badQueries = new HashMap<>(); // query id -> kind
            Map<String, Integer> kinds = new TreeMap<>();
            for (JsonNode r : produced) {
                kinds.merge(
                        (r.get("good").asBoolean() ? "good " : "bad ")
                                + r.get("kind").asText(),
                        1,
                        Integer::sum);
                if (r.get("good").asBoolean()) {
                    String key = new String(HexFormat.of().parseHex(r.get("key").asText()), StandardCharsets.UTF_8);
                    long n;
                    if (r.has("count")) {
                        n = r.get("count").asLong();
                    } else {
                        String text = r.has("text")
                                ? r.get("text").asText()
                                : new String(
                                        HexFormat.of()
                                                .parseHex(r.get("text_bytes").asText()),
                                        StandardCharsets.UTF_8);
                        n = encoder.countTokens(text);
                        assertThat(n).as("a good text is within the limits").isBetween(1L, (long) MAX_TOKENS);
                    }
                    expectedTokens.merge(key, n, Long::sum);
                } else {
                    badAt.put(
                            position(
                                    r.get("topic").asText(),
                                    r.get("partition").asInt(),
                                    r.get("offset").asLong()),
                            r.get("kind").asText());
                    if (r.hasNonNull("query_id"))
                        badQueries.put(r.get("query_id").asText(), r.get("kind").asText());
                }
            }
            long bad = produced.stream().filter(r -> !r.get("good").asBoolean()).count();
            assertThat(kinds.keySet().stream().filter(k -> k.startsWith("bad ")).count())
                    .isGreaterThanOrEqualTo(40);
            assertThat(badAt).hasSize((int) bad);

            List<DeadLetter> dead = read(config, config.getString(LtmConfig.TOPIC_DLQ), DeadLetter.class, (int) bad);
            Map<String, String> reasonByKind = new TreeMap<>();
            Map<String, List<String>> unmatched = new HashMap<>(); // identity -> kinds still without a dead letter
            for (JsonNode r : produced) {
                if (!r.get("good").asBoolean()) {
                    unmatched
                            .computeIfAbsent(
                                    identity(
                                            r.get("topic").asText(),
                                            r.get("key").asText(null),
                                            r.get("sha256").asText()),
                                    x -> new ArrayList<>())
                            .add(r.get("kind").asText());
                }
            }
            for (DeadLetter d : dead) {
                String at = position(d.getTopic(), d.getPartition(), d.getOffset());
                assertThat(d.getErrorMessage()).as(at).isNotBlank();
                assertThat(d.getErrorClass()).as(at).isNotBlank();
                // a query or command that the node wrote again to its key's partition (the first it sees) is named
                // where the producer wrote it, as every other record is
                assertThat(badAt)
                        .as("dead letter of a record that was not bad: %s %s", at, d.getErrorMessage())
                        .containsKey(at);
                byte[] value = bytes(d.getValue());
                String sha = d.getValueSha256() != null
                        ? HexFormat.of().formatHex(bytes(d.getValueSha256()))
                        : HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(value));
                String id = identity(
                        d.getTopic(), d.getKey() == null ? null : HexFormat.of().formatHex(bytes(d.getKey())), sha);
                List<String> left = unmatched.get(id);
                assertThat(left)
                        .as("dead letter %s (%s) matches no bad record still unmatched", at, d.getErrorMessage())
                        .isNotNull()
                        .isNotEmpty();
                String kind = badAt.get(at);
                assertThat(left.remove(kind))
                        .as("%s: a %s record still without a dead letter", at, kind)
                        .isTrue();
                reasonByKind.putIfAbsent(kind, d.getErrorClass().replaceAll(".*\\.", "") + ": " + d.getErrorMessage());
                if (kind.endsWith("huge-garbage")) {
                    assertThat(d.getTruncated())
                            .as("an 8 MB value is cut in its dead letter")
                            .isTrue();
                }
            }
            reasonByKind.forEach((k, v) -> System.out.printf("CORPUS: %-40s %s%n", k, v));
            assertThat(unmatched.values().stream().flatMap(List::stream).toList())
                    .as("bad records without a dead letter")
                    .isEmpty();
            assertThat(dead).as("each bad record once, nothing else").hasSize((int) bad);
            assertThat(reasonByKind.get("tokens.nan")).contains("non-finite");
            assertThat(reasonByKind.get("tokens.wrong-dimension")).contains("dimension " + (DIM + 1));
            assertThat(reasonByKind.get("tokens.non-utf8-key")).contains("not valid UTF-8");
            assertThat(reasonByKind.get("tokens.nul-in-key")).contains("NUL");
            assertThat(reasonByKind.get("tokens.over-token-limit")).contains("more than the limit of " + MAX_TOKENS);
            assertThat(reasonByKind.get("events.text-over-char-limit")).contains("more than the limit of " + MAX_CHARS);

            for (String key : KEYS) {
                long expected = expectedTokens.getOrDefault(key, 0L);
                assertThat(MemoryProgress.awaitTokens(node::describe, key, expected, Duration.ofSeconds(120)))
                        .as("tokens of %s", key)
                        .isEqualTo(expected);
            }
            // a bad query that carries an id is answered with the error, never left to time out
            Map<String, MemoryResponse> responses = new HashMap<>();
            for (MemoryResponse r : read(
                    config, config.getString(LtmConfig.TOPIC_RESPONSES), MemoryResponse.class, badQueries.size())) {
                responses.put(r.getQueryId(), r);
            }
            assertThat(responses.keySet()).isEqualTo(badQueries.keySet());
            assertThat(responses.values())
                    .allSatisfy(r -> assertThat(r.getError()).isNotBlank());

            try (LtmClient client = new LtmClient(config)) {
                for (String key : KEYS) {
                    MemoryResponse r = client.query(key, "disk full", 1, Duration.ofSeconds(60));
                    assertThat(r.getError()).as(key).isNull();
                    assertThat(r.getFound()).as(key).isTrue();
                    assertThat(r.getStats().getTokensAbsorbed()).as(key).isEqualTo(expectedTokens.get(key));
                }
            }
            awaitNothingBehind(admin, config);
            HttpResponse<String> health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(health.body()).contains("\"stuckPartitions\":[]");
            System.out.printf(
                    "CORPUS: %d records from Python: %d bad of %d kinds (all %d in the DLQ once, with a"
                            + " reason), %d good (absorbed: %s tokens per key); %d bad queries answered with an error%n",
                    produced.size(),
                    bad,
                    kinds.keySet().stream().filter(k -> k.startsWith("bad ")).count(),
                    dead.size(),
                    produced.size() - bad,
                    expectedTokens,
                    responses.size());
        }
    }

    /** What identifies a bad record in its dead letter: topic, key (hex; none and empty alike) and value digest. */
    static String identity(String topic, String keyHex, String sha256) {
        return topic + "|" + (keyHex == null ? "" : keyHex) + "|" + sha256;
    }

    static byte[] bytes(java.nio.ByteBuffer b) {
        if (b == null) return new byte[0];
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static String position(String topic, int partition, long offset) {
        return topic + "/" + partition + "@" + offset;
    }

    /** Every input partition of the node's and the worker's groups has its committed offset at its end. */
    static void awaitNothingBehind(Admin admin, LtmConfig config) throws Exception {
        String app = config.getString(LtmConfig.APPLICATION_ID);
        Set<String> inputs = Set.of(
                config.getString(LtmConfig.TOPIC_TOKENS),
                config.getString(LtmConfig.TOPIC_EVENTS),
                config.getString(LtmConfig.TOPIC_QUERIES),
                config.getString(LtmConfig.TOPIC_CONTROL));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<TopicPartition, Long> behind;
        do {
            Map<TopicPartition, Long> committed = new HashMap<>();
            for (String group : admin.listGroups().all().get().stream()
                    .map(g -> g.groupId())
                    .filter(g -> g.startsWith(app))
                    .toList()) {
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .entrySet()) {
                    if (inputs.contains(e.getKey().topic()) && e.getValue() != null) {
                        committed.put(e.getKey(), e.getValue().offset());
                    }
                }
            }
            Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
            for (String t : inputs) {
                for (int p = 0; p < PARTITIONS; p++) ask.put(new TopicPartition(t, p), OffsetSpec.latest());
            }
            behind = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
            for (var e : admin.listOffsets(ask).all().get().entrySet()) {
                long end = e.getValue().offset();
                long at = committed.getOrDefault(e.getKey(), 0L);
                if (end > at) behind.put(e.getKey(), end - at);
            }
            if (behind.isEmpty()) return;
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("input partitions still behind (lag by partition): " + behind);
    }

    static <T extends SpecificRecord> List<T> read(LtmConfig config, String topic, Class<T> type, int expected) {
        try (TopicReader<T> reader = new TopicReader<>(cluster.bootstrapServers(), topic, type, config.serdeConfig())) {
            // anything beyond the expected count would be a duplicate: look a little longer
            return reader.readUpTo(expected, Duration.ofSeconds(120), Duration.ofMillis(2000));
        }
    }
}
