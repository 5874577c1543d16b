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
import java.util.ArrayList;
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
        }
    }

    @Test
    void answersAndMemoriesFromTheDecodedStateEqualThoseReadFromTheStores() {
        DecodedState kept = DecodedState.of(1L << 30);
        Run decoded = run(kept, "decoded");
        Run stored = run(DecodedState.of(0), "stored");
        assertThat(kept.shortTerm().size()).as("buffers kept").isPositive();
        assertThat(decoded.answers()).hasSize(stored.answers().size()).hasSizeGreaterThan(20);
        for (int i = 0; i < stored.answers().size(); i++) {
            assertThat(decoded.answers().get(i))
                    .as("answer %d", i)
                    .isEqualTo(stored.answers().get(i));
        }
        assertThat(decoded.memories()).isEqualTo(stored.memories());
    }

    /** The answers in order (their time of answer cleared) and every key's stored memory record at the end. */
    private record Run(List<MemoryResponse> answers, Map<String, io.ltm.schemas.MemoryState> memories) {}

    /**
     * Events of 1 to L − 1 tokens for three keys, at both precisions, so that contractions leave tails; a query after
     * every other event; a forget of one key half-way, whose events then begin a new memory.
     */
    private Run run(DecodedState kept, String name) {
        String scope = "decoded-" + UUID.randomUUID();
        LtmConfig config = TestFixtures.config(scope, Map.of());
        Topology topology = MemoryTopology.addTo(
                new Topology(), config, new HashingEncoder(TestFixtures.DIM), RetentionWatch.none(), kept);
        Properties p = new Properties();
        p.putAll(config.streamsProperties());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        List<MemoryResponse> answers = new ArrayList<>();
        Map<String, io.ltm.schemas.MemoryState> memories = new TreeMap<>();
        try (TopologyTestDriver d = new TopologyTestDriver(topology, p)) {
            ByteArraySerializer b = new ByteArraySerializer();
            Instant start = Instant.ofEpochMilli(1_000_000L);
            TestInputTopic<byte[], byte[]> tokens = d.createInputTopic("ltm.tokens", b, b, start, Duration.ofMillis(1));
            TestInputTopic<byte[], byte[]> queries =
                    d.createInputTopic("ltm.queries", b, b, start, Duration.ofMillis(1));
            TestInputTopic<byte[], byte[]> control =
                    d.createInputTopic("ltm.control", b, b, start, Duration.ofMillis(1));
            TestOutputTopic<String, MemoryResponse> responses = d.createOutputTopic(
                    "ltm.responses",
                    new StringDeserializer(),
                    LtmSerdes.avro(MemoryResponse.class, config.serdeConfig()).deserializer());
            Random rnd = new Random(5);
            for (int i = 0; i < 60; i++) {
                String k = "k" + (i % 3);
                byte[] key = k.getBytes(StandardCharsets.UTF_8);
                int count = 1 + rnd.nextInt(TestFixtures.L - 1);
                EncodedTokens e = TestFixtures.tokens(TestFixtures.vectors(rnd, count), count, i);
                if (i % 2 == 0) {
                    float[] v = MemoryStateCodec.unblock(e.getVectors(), count, TestFixtures.DIM);
                    e.setVectors(MemoryStateCodec.block(v, count, TestFixtures.DIM, CoefficientPrecision.FLOAT16));
                }
                tokens.pipeInput(key, event(config, e));
                if (i == 30) control.pipeInput(key, TestFixtures.control(config, ControlAction.FORGET));
                if (i % 2 == 1) {
                    MemoryQuery q = MemoryQuery.newBuilder()
                            .setQueryId("q" + i)
                            .setKey(k)
                            .setText("tok" + (i - 3) + "_0 anything")
                            .setOptions(QueryOptions.newBuilder()
                                    .setSpans(2)
                                    .setIncludeContext(true)
                                    .build())
                            .setRequestedAt(start)
                            .build();
                    queries.pipeInput(key, query(config, q));
                }
            }
            for (MemoryResponse r : responses.readValuesToList()) {
                r.setAnsweredAt(Instant.EPOCH);
                answers.add(r);
            }
            KeyValueStore<String, io.ltm.schemas.MemoryState> store = d.getKeyValueStore(Names.STORE_MEMORY);
            try (KeyValueIterator<String, io.ltm.schemas.MemoryState> it = store.all()) {
                it.forEachRemaining(kv -> memories.put(kv.key, kv.value));
            }
        }
        return new Run(answers, memories);
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
