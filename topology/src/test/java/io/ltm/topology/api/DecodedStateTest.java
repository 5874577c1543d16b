package io.ltm.topology.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.CoefficientPrecision;
import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.ControlAction;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.TestFixtures;
import io.ltm.topology.codec.MemoryStateCodec;
import io.ltm.topology.internal.DecodedState;
import io.ltm.topology.internal.Names;
import io.ltm.topology.internal.RetentionWatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process's decoded state (B as stored, the term filter) across the node's processors. */
class DecodedStateTest {
    private static final Instant START = Instant.ofEpochMilli(1_000_000L);

    @TempDir
    Path stateDir;

    @Test
    void aForgottenKeysDecodedCoefficientsAndTermFilterLeaveTheProcess() {
        String scope = "decoded-" + UUID.randomUUID();
        LtmConfig config = TestFixtures.config(scope, Map.of());
        DecodedState kept = DecodedState.of(1L << 30);
        Topology topology = MemoryTopology.addTo(
                new Topology(), config, new HashingEncoder(TestFixtures.DIM), RetentionWatch.none(), kept);
        Properties p = new Properties();
        p.putAll(config.streamsProperties());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        try (TopologyTestDriver d = new TopologyTestDriver(topology, p)) {
            ByteArraySerializer b = new ByteArraySerializer();
            TestInputTopic<byte[], byte[]> tokens = d.createInputTopic("ltm.tokens", b, b);
            TestInputTopic<byte[], byte[]> queries = d.createInputTopic("ltm.queries", b, b);
            TestInputTopic<byte[], byte[]> control = d.createInputTopic("ltm.control", b, b);
            TestOutputTopic<String, MemoryResponse> responses = d.createOutputTopic(
                    "ltm.responses",
                    new StringDeserializer(),
                    LtmSerdes.avro(MemoryResponse.class, config.serdeConfig()).deserializer());
            byte[] key = "a".getBytes(StandardCharsets.UTF_8);
            Random rnd = new Random(3);
            for (int i = 0; i < 3; i++) { // three contractions: B and the filter kept for the next one
                EncodedTokens t = TestFixtures.tokens(TestFixtures.vectors(rnd, TestFixtures.L), TestFixtures.L, i);
                tokens.pipeInput(key, event(config, t));
            }
            EncodedTokens more = TestFixtures.tokens(TestFixtures.vectors(rnd, 3), 3, 3);
            tokens.pipeInput(key, event(config, more));
            assertThat(kept.coefficients().size()).isEqualTo(1);
            assertThat(kept.terms().bytes()).isPositive();
            assertThat(kept.shortTerm().bytes()).isPositive();
            assertThat(kept.longTerm().size()).isEqualTo(1);

            MemoryQuery q = MemoryQuery.newBuilder()
                    .setQueryId("q1")
                    .setKey("a")
                    .setText("anything")
                    .setOptions(QueryOptions.newBuilder().setSpans(1).build())
                    .setRequestedAt(Instant.now())
                    .build();
            queries.pipeInput(key, query(config, q));
            assertThat(responses.readValue().getFound()).isTrue();

            control.pipeInput(key, TestFixtures.control(config, ControlAction.FORGET));
            assertThat(kept.coefficients().size())
                    .as("B decoded for the forgotten key")
                    .isZero();
            assertThat(kept.terms().bytes())
                    .as("the forgotten key's term filter")
                    .isZero();
            assertThat(kept.shortTerm().size())
                    .as("the forgotten key's short-term buffer")
                    .isZero();
            assertThat(kept.longTerm().size())
                    .as("the forgotten key's long-term record")
                    .isZero();
        }
    }

    /** Each task counts its lookups of the decoded state, and how many found the part decoded, in its metrics. */
    @Test
    void theTasksMetricsCountTheLookupsOfTheDecodedStateAndTheirHits() {
        Map<String, Double> kept = lookups(DecodedState.of(1L << 30), "counted-kept");
        Map<String, Double> none = lookups(DecodedState.of(0), "counted-none");
        // three contractions of one key: the second and third look for B (the first finds none stored yet)
        assertThat(kept).containsEntry("b-cache-lookups-total", 2.0).containsEntry("b-cache-hits-total", 2.0);
        assertThat(none).containsEntry("b-cache-lookups-total", 2.0).containsEntry("b-cache-hits-total", 0.0);
        assertThat(kept.get("b-cache-hit-ratio")).isEqualTo(1.0);
        for (String part : List.of("short-term-cache", "long-term-cache", "terms-cache")) {
            assertThat(kept.get(part + "-lookups-total")).as(part).isPositive();
            assertThat(kept.get(part + "-hits-total")).as(part).isPositive();
            assertThat(none.get(part + "-lookups-total")).as(part).isEqualTo(kept.get(part + "-lookups-total"));
            assertThat(none.get(part + "-hits-total")).as(part).isZero();
        }
    }

    /** The decoded state's lookup metrics after four events of one key, of which the last three contract. */
    private Map<String, Double> lookups(DecodedState kept, String name) {
        try (Node node = new Node(kept, name, 0)) {
            Random rnd = new Random(3);
            int count = TestFixtures.L - 1;
            for (int i = 0; i < 4; i++) node.event("a", TestFixtures.vectors(rnd, count), count, i);
            return node.lookups();
        }
    }

    @Test
    void answersAndMemoriesFromTheDecodedStateEqualThoseReadFromTheStores() {
        DecodedState kept = DecodedState.of(1L << 30);
        Run decoded = run(kept, "decoded");
        Run stored = run(DecodedState.of(0), "stored");
        assertThat(kept.shortTerm().size()).as("buffers kept").isPositive();
        assertThat(kept.longTerm().size()).as("long-term records kept").isPositive();
        assertThat(decoded.answers()).hasSize(stored.answers().size()).hasSizeGreaterThan(20);
        for (int i = 0; i < stored.answers().size(); i++) {
            assertThat(decoded.answers().get(i))
                    .as("answer %d", i)
                    .isEqualTo(stored.answers().get(i));
        }
        assertThat(decoded.memories()).isEqualTo(stored.memories());
    }

    /**
     * Two nodes share the process's decoded state and hold the same keys with the same counters (the same token counts
     * and vectors), but their events came from other offsets: the records one node kept last must not answer for the
     * other's, as after a restore from another history or a rolled-back contraction.
     */
    @Test
    void aLongTermRecordKeptFromAnotherHistoryIsNotUsed() {
        DecodedState kept = DecodedState.of(1L << 30);
        try (Node a = new Node(kept, "a", 0);
                Node b = new Node(kept, "b", 1000);
                Node alone = new Node(DecodedState.of(0), "alone", 1000)) {
            Random rnd = new Random(7);
            int spans = 0;
            for (int i = 0; i < 40; i++) {
                int count = 1 + rnd.nextInt(TestFixtures.L - 1);
                float[] v = TestFixtures.vectors(rnd, count);
                String k = "k" + (i % 2);
                alone.event(k, v, count, i);
                b.event(k, v, count, i);
                a.event(k, v, count, i); // last: the process keeps a's records
                if (i % 4 == 3) {
                    MemoryResponse fromB = b.query(k, i);
                    MemoryResponse expected = alone.query(k, i);
                    assertThat(fromB).as("answer %d", i).isEqualTo(expected);
                    for (var span : fromB.getSpans()) {
                        assertThat(span.getFrom().getOffset())
                                .as("b's own offsets")
                                .isGreaterThanOrEqualTo(1000);
                        spans++;
                    }
                    a.query(k, i);
                }
            }
            assertThat(spans).as("spans of the long-term memory answered").isGreaterThan(5);
            assertThat(kept.longTerm().size()).isEqualTo(2);
            assertThat(b.memories()).isEqualTo(alone.memories());
        }
    }

    /** A node of its own state directory whose events come from offsets {@code offsets} on. */
    private final class Node implements AutoCloseable {
        private final LtmConfig config;
        private final TopologyTestDriver driver;
        private final TestInputTopic<byte[], byte[]> tokens;
        private final TestInputTopic<byte[], byte[]> queries;
        private final TestInputTopic<byte[], byte[]> control;
        private final TestOutputTopic<String, MemoryResponse> responses;
        private final long offsets;

        Node(DecodedState kept, String name, long offsets) {
            this.config = TestFixtures.config("decoded-" + UUID.randomUUID(), Map.of());
            this.offsets = offsets;
            Topology topology = MemoryTopology.addTo(
                    new Topology(), config, new HashingEncoder(TestFixtures.DIM), RetentionWatch.none(), kept);
            Properties p = new Properties();
            p.putAll(config.streamsProperties());
            p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
            p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
            this.driver = new TopologyTestDriver(topology, p);
            ByteArraySerializer b = new ByteArraySerializer();
            this.tokens = driver.createInputTopic("ltm.tokens", b, b, START, Duration.ofMillis(1));
            this.queries = driver.createInputTopic("ltm.queries", b, b, START, Duration.ofMillis(1));
            this.control = driver.createInputTopic("ltm.control", b, b, START, Duration.ofMillis(1));
            this.responses = driver.createOutputTopic(
                    "ltm.responses",
                    new StringDeserializer(),
                    LtmSerdes.avro(MemoryResponse.class, config.serdeConfig()).deserializer());
        }

        void event(String key, EncodedTokens e) {
            tokens.pipeInput(key.getBytes(StandardCharsets.UTF_8), DecodedStateTest.event(config, e));
        }

        void event(String key, float[] vectors, int count, int i) {
            event(key, TestFixtures.tokens(vectors, count, offsets + i));
        }

        void forget(String key) {
            control.pipeInput(key.getBytes(StandardCharsets.UTF_8), TestFixtures.control(config, ControlAction.FORGET));
        }

        void ask(MemoryQuery q) {
            queries.pipeInput(q.getKey().getBytes(StandardCharsets.UTF_8), DecodedStateTest.query(config, q));
        }

        /** The answers since the last call, their time of answer cleared. */
        List<MemoryResponse> answers() {
            List<MemoryResponse> answers = responses.readValuesToList();
            answers.forEach(r -> r.setAnsweredAt(Instant.EPOCH));
            return answers;
        }

        MemoryResponse query(String key, int i) {
            ask(MemoryQuery.newBuilder()
                    .setQueryId("q" + i)
                    .setKey(key)
                    .setText("anything")
                    .setOptions(QueryOptions.newBuilder().setSpans(1).build())
                    .setRequestedAt(Instant.EPOCH)
                    .build());
            return answers().get(0);
        }

        /** The decoded state's lookup metrics, summed over the tasks. */
        Map<String, Double> lookups() {
            Map<String, Double> out = new TreeMap<>();
            driver.metrics().forEach((name, metric) -> {
                if (name.group().equals("stream-ltm-metrics") && name.name().contains("-cache-")) {
                    out.merge(name.name(), ((Number) metric.metricValue()).doubleValue(), Double::sum);
                }
            });
            return out;
        }

        Map<String, io.ltm.schemas.MemoryState> memories() {
            Map<String, io.ltm.schemas.MemoryState> memories = new TreeMap<>();
            KeyValueStore<String, io.ltm.schemas.MemoryState> store = driver.getKeyValueStore(Names.STORE_MEMORY);
            try (KeyValueIterator<String, io.ltm.schemas.MemoryState> it = store.all()) {
                it.forEachRemaining(kv -> memories.put(kv.key, kv.value));
            }
            return memories;
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    /** The answers in order (their time of answer cleared) and every key's stored memory record at the end. */
    private record Run(List<MemoryResponse> answers, Map<String, io.ltm.schemas.MemoryState> memories) {}

    /**
     * Events of 1 to L − 1 tokens for three keys, at both precisions, so that contractions leave tails; a query after
     * every other event; a forget of one key half-way, whose events then begin a new memory.
     */
    private Run run(DecodedState kept, String name) {
        try (Node node = new Node(kept, name, 0)) {
            Random rnd = new Random(5);
            for (int i = 0; i < 60; i++) {
                String k = "k" + (i % 3);
                int count = 1 + rnd.nextInt(TestFixtures.L - 1);
                EncodedTokens e = TestFixtures.tokens(TestFixtures.vectors(rnd, count), count, i);
                if (i % 2 == 0) {
                    float[] v = MemoryStateCodec.unblock(e.getVectors(), count, TestFixtures.DIM);
                    e.setVectors(MemoryStateCodec.block(v, count, TestFixtures.DIM, CoefficientPrecision.FLOAT16));
                }
                node.event(k, e);
                if (i == 30) node.forget(k);
                if (i % 2 == 1) {
                    node.ask(MemoryQuery.newBuilder()
                            .setQueryId("q" + i)
                            .setKey(k)
                            .setText("tok" + (i - 3) + "_0 anything")
                            .setOptions(QueryOptions.newBuilder()
                                    .setSpans(2)
                                    .setIncludeContext(true)
                                    .build())
                            .setRequestedAt(START)
                            .build());
                }
            }
            return new Run(node.answers(), node.memories());
        }
    }

    private static byte[] event(LtmConfig config, EncodedTokens e) {
        return LtmSerdes.avro(EncodedTokens.class, config.serdeConfig())
                .serializer()
                .serialize("ltm.tokens", e);
    }

    private static byte[] query(LtmConfig config, MemoryQuery q) {
        return LtmSerdes.avro(MemoryQuery.class, config.serdeConfig())
                .serializer()
                .serialize("ltm.queries", q);
    }
}
