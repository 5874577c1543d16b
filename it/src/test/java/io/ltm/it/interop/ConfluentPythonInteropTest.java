package io.ltm.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ltm.schemas.AttendedSpan;
import io.ltm.schemas.AttentionHead;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.MemoryStats;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.ShortTermHit;
import io.ltm.schemas.SourcePosition;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.VectorBlock;
import io.ltm.schemas.VectorEncoding;
import io.ltm.schemas.registry.SchemaRegistryClients;
import io.ltm.schemas.serde.AvroSerializer;
import io.ltm.testutils.it.LocalCluster;
import io.ltm.testutils.it.TopicReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client we did not write reads what we write, and we read what it writes, through one real broker and one real
 * registry: Confluent's Python client (Debian python3-confluent-kafka 1.7 + python3-avro, legacy
 * {@code confluent_kafka.avro} API; see confluent_avro.py next to this class). Skipped (with the reason) only when
 * that client is not installed.
 */
class ConfluentPythonInteropTest {
    static final ObjectMapper JSON = ConfluentPython.JSON;
    static final Instant T0 = Instant.ofEpochMilli(1_764_100_000_321L);

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

    Map<String, Object> serdeConfig() {
        return cluster.serdeConfig();
    }

    // ---------------------------------------------------------------- Java writes, Python reads

    @Test
    void pythonReadsWhatOurSerdeWrote() throws Exception {
        String events = "interop.j2p.events";
        String responses = "interop.j2p.responses";
        cluster.createTopic(events, 1);
        cluster.createTopic(responses, 1);
        List<TokenEvent> sent = List.of(tokenEvent("one", 1), tokenEvent("two", 2), tokenEvent(null, 3));
        List<MemoryResponse> sentResponses = List.of(memoryResponse("q-1"), memoryResponse("q-2"));

        AvroSerializer<SpecificRecord> ser = new AvroSerializer<>();
        ser.configure(serdeConfig(), false);
        try (KafkaProducer<String, SpecificRecord> producer =
                new KafkaProducer<>(cluster.producerProperties(), new StringSerializer(), ser)) {
            for (int i = 0; i < sent.size(); i++)
                producer.send(new ProducerRecord<>(events, "user-" + i, sent.get(i)))
                        .get();
            // unkeyed: the legacy AvroConsumer Avro-decodes keys too, so it can only read topics without string keys
            for (MemoryResponse r : sentResponses)
                producer.send(new ProducerRecord<>(responses, null, r)).get();
        }

        ObjectNode spec = spec(cluster);
        ArrayNode topics = spec.putArray("topics");
        topics.addObject().put("topic", events).put("count", sent.size()).put("api", "serializer");
        topics.addObject()
                .put("topic", responses)
                .put("count", sentResponses.size())
                .put("api", "avro-consumer");
        spec.putObject("schemas")
                .put(events, TokenEvent.getClassSchema().toString())
                .put(responses, MemoryResponse.getClassSchema().toString());
        List<JsonNode> got = python("consume", spec);

        List<JsonNode> gotEvents =
                got.stream().filter(n -> n.get("topic").asText().equals(events)).toList();
        assertThat(gotEvents).hasSize(sent.size());
        int registeredId = SchemaRegistryClients.fromConfig(serdeConfig())
                .lookup(events + "-value", TokenEvent.getClassSchema())
                .orElseThrow();
        for (int i = 0; i < sent.size(); i++) {
            JsonNode n = gotEvents.get(i);
            assertThat(n.get("key").asText()).isEqualTo("user-" + i);
            assertThat(n.get("schema_id").asInt()).isEqualTo(registeredId);
            assertThat(n.get("value"))
                    .as("TokenEvent %d as Python decoded it", i)
                    .isEqualTo(plain(sent.get(i)));
        }
        List<JsonNode> gotResponses = got.stream()
                .filter(n -> n.get("topic").asText().equals(responses))
                .toList();
        assertThat(gotResponses).hasSize(sentResponses.size());
        for (int i = 0; i < sentResponses.size(); i++) {
            assertThat(gotResponses.get(i).get("value"))
                    .as("MemoryResponse %d as AvroConsumer decoded it", i)
                    .isEqualTo(plain(sentResponses.get(i)));
        }
        // spot-check a few values by hand, independent of plain()
        JsonNode first = gotEvents.get(0).get("value");
        assertThat(first.get("text").asText()).isEqualTo("one");
        assertThat(first.get("eventTime").asLong()).isEqualTo(T0.toEpochMilli() + 1);
        assertThat(first.get("vectors").get("encoding").asText()).isEqualTo("FLOAT32");
        assertThat(gotResponses
                        .get(0)
                        .get("value")
                        .get("spans")
                        .get(0)
                        .get("mu")
                        .asDouble())
                .isEqualTo(0.375);
    }

    // ---------------------------------------------------------------- Python writes, Java reads

    @Test
    void ourSerdeReadsWhatPythonWrote() throws Exception {
        String events = "interop.p2j.events";
        String queries = "interop.p2j.queries";
        cluster.createTopic(events, 1);
        cluster.createTopic(queries, 1);
        List<TokenEvent> events0 = List.of(tokenEvent("from python", 7), tokenEvent("zwei: äöü ✓", 8));
        List<MemoryQuery> queries0 =
                List.of(memoryQuery("q-py-1", AttentionHead.TRAINED), memoryQuery("q-py-2", AttentionHead.ZERO_SHOT));

        ObjectNode spec = spec(cluster);
        ArrayNode records = spec.putArray("records");
        for (int i = 0; i < events0.size(); i++) {
            records.addObject()
                    .put("topic", events)
                    .put("api", "serializer")
                    .put("key", "py-user-" + i)
                    .put("schema", TokenEvent.getClassSchema().toString())
                    .set("value", plain(events0.get(i)));
        }
        for (MemoryQuery q : queries0) {
            records.addObject()
                    .put("topic", queries)
                    .put("api", "avro-producer")
                    .put("schema", MemoryQuery.getClassSchema().toString())
                    .set("value", plain(q));
        }
        List<JsonNode> out = python("produce", spec);
        assertThat(out.get(0).get("produced").asInt()).isEqualTo(events0.size() + queries0.size());

        List<ConsumerRecord<String, TokenEvent>> gotEvents = consume(events, TokenEvent.class, events0.size());
        for (int i = 0; i < events0.size(); i++) {
            assertThat(gotEvents.get(i).key()).isEqualTo("py-user-" + i);
            assertThat(gotEvents.get(i).value()).isEqualTo(events0.get(i));
            assertThat(gotEvents.get(i).value().getEventTime()).isEqualTo(T0.plusMillis(7 + i));
        }
        List<ConsumerRecord<String, MemoryQuery>> gotQueries = consume(queries, MemoryQuery.class, queries0.size());
        for (int i = 0; i < queries0.size(); i++) {
            assertThat(gotQueries.get(i).key()).isNull();
            assertThat(gotQueries.get(i).value()).isEqualTo(queries0.get(i));
        }
        assertThat(gotQueries.get(0).value().getOptions().getHead()).isEqualTo(AttentionHead.TRAINED);
        // the Python client registered under the same TopicNameStrategy subjects as our serializer would
        assertThat(SchemaRegistryClients.fromConfig(serdeConfig()).subjects())
                .contains(events + "-value", queries + "-value");
    }

    <T extends SpecificRecord> List<ConsumerRecord<String, T>> consume(String topic, Class<T> type, int n) {
        List<ConsumerRecord<String, T>> got;
        try (TopicReader<T> reader = new TopicReader<>(cluster.bootstrapServers(), topic, type, serdeConfig())) {
            reader.readUpTo(n, Duration.ofSeconds(30), Duration.ZERO);
            got = reader.records();
        }
        assertThat(got).as("records read from %s", topic).hasSize(n);
        return got;
    }

    /** A spec for confluent_avro.py: where the cluster is. */
    static ObjectNode spec(LocalCluster cluster) {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("bootstrap", cluster.bootstrapServers());
        spec.put("registry", cluster.registryUrl());
        return spec;
    }

    List<JsonNode> python(String mode, ObjectNode spec) throws Exception {
        return ConfluentPython.run(script, mode, spec, Duration.ofSeconds(90));
    }

    // ---------------------------------------------------------------- "plain" JSON, the same convention as the script

    static JsonNode plain(SpecificRecord r) {
        try { // through text, so numbers get the same node types as the parsed Python output
            return JSON.readTree(
                    JSON.writeValueAsString(plain(r.getSchema(), r, SpecificData.getForClass(r.getClass()))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Object plain(Schema s, Object v, SpecificData model) {
        if (v == null) return null;
        switch (s.getType()) {
            case UNION:
                return plain(s.getTypes().get(model.resolveUnion(s, v)), v, model);
            case RECORD: {
                Map<String, Object> m = new LinkedHashMap<>();
                SpecificRecord r = (SpecificRecord) v;
                for (Schema.Field f : s.getFields()) m.put(f.name(), plain(f.schema(), r.get(f.pos()), model));
                return m;
            }
            case ARRAY: {
                List<Object> l = new ArrayList<>();
                for (Object x : (List<?>) v) l.add(plain(s.getElementType(), x, model));
                return l;
            }
            case BYTES: {
                ByteBuffer b = ((ByteBuffer) v).duplicate();
                byte[] a = new byte[b.remaining()];
                b.get(a);
                return HexFormat.of().formatHex(a);
            }
            case LONG:
                return v instanceof Instant i ? i.toEpochMilli() : v;
            case FLOAT:
                return ((Float) v).doubleValue();
            case ENUM:
            case STRING:
                return v.toString();
            default:
                return v;
        }
    }

    // ---------------------------------------------------------------- sample data

    static VectorBlock vectors(int count, int dim, float scale) {
        ByteBuffer b = ByteBuffer.allocate(count * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count * dim; i++) b.putFloat((i - 3) * scale);
        b.flip();
        return VectorBlock.newBuilder()
                .setDim(dim)
                .setCount(count)
                .setEncoding(VectorEncoding.FLOAT32)
                .setData(b)
                .build();
    }

    static TokenEvent tokenEvent(String text, int n) {
        return TokenEvent.newBuilder()
                .setText(text)
                .setVectors(n % 2 == 1 ? vectors(2, 3, 0.5f * n) : null)
                .setTokens(n % 2 == 1 ? List.of("tok" + n, "en") : null)
                .setEventTime(T0.plusMillis(n))
                .setSourceId(n == 3 ? null : "src-" + n)
                .build();
    }

    static SourcePosition source(long offset) {
        return SourcePosition.newBuilder()
                .setTopic("ltm.events")
                .setPartition(0)
                .setOffset(offset)
                .setTimestamp(T0.plusMillis(offset))
                .setSourceId(null)
                .build();
    }

    static MemoryResponse memoryResponse(String queryId) {
        return MemoryResponse.newBuilder()
                .setQueryId(queryId)
                .setKey("user-1")
                .setFound(true)
                .setSpans(List.of(AttendedSpan.newBuilder()
                        .setMu(0.375)
                        .setSigma(0.0625)
                        .setScore(-1.5)
                        .setWeight(1.0)
                        .setTokenStart(10)
                        .setTokenEnd(20)
                        .setFrom(source(10))
                        .setTo(null)
                        .build()))
                .setContext(List.of(0.5f, -1.25f, 1e-3f))
                .setShortTermHits(List.of(ShortTermHit.newBuilder()
                        .setTokenIndex(42)
                        .setScore(0.25)
                        .setWeight(0.75)
                        .setToken("mat")
                        .setSource(source(42))
                        .build()))
                .setStats(new MemoryStats(123L, 4L, 5, 6789L))
                .setError(null)
                .setAnsweredBy("memory-node")
                .setAnsweredAt(T0)
                .build();
    }

    static MemoryQuery memoryQuery(String id, AttentionHead head) {
        return MemoryQuery.newBuilder()
                .setQueryId(id)
                .setKey("user-" + id)
                .setText("what did I say about " + id)
                .setVectors(vectors(1, 4, 0.25f))
                .setOptions(QueryOptions.newBuilder()
                        .setSpans(2)
                        .setIncludeContext(true)
                        .setIncludeShortTerm(false)
                        .setHead(head)
                        .build())
                .setRequestedAt(T0.plusSeconds(5))
                .build();
    }
}
