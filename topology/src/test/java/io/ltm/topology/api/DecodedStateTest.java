package io.ltm.topology.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.ControlAction;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.TestFixtures;
import io.ltm.topology.internal.DecodedState;
import io.ltm.topology.internal.RetentionWatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
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
                tokens.pipeInput(
                        key,
                        LtmSerdes.avro(EncodedTokens.class, config.serdeConfig())
                                .serializer()
                                .serialize("ltm.tokens", t));
            }
            assertThat(kept.coefficients().size()).isEqualTo(1);
            assertThat(kept.terms().bytes()).isPositive();

            MemoryQuery q = MemoryQuery.newBuilder()
                    .setQueryId("q1")
                    .setKey("a")
                    .setText("anything")
                    .setOptions(QueryOptions.newBuilder().setSpans(1).build())
                    .setRequestedAt(Instant.now())
                    .build();
            queries.pipeInput(
                    key,
                    LtmSerdes.avro(MemoryQuery.class, config.serdeConfig())
                            .serializer()
                            .serialize("ltm.queries", q));
            assertThat(responses.readValue().getFound()).isTrue();

            control.pipeInput(key, TestFixtures.control(config, ControlAction.FORGET));
            assertThat(kept.coefficients().size())
                    .as("B decoded for the forgotten key")
                    .isZero();
            assertThat(kept.terms().bytes())
                    .as("the forgotten key's term filter")
                    .isZero();
        }
    }
}
