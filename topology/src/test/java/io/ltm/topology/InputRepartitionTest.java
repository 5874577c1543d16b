package io.ltm.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.encoder.HashingEncoder;
import io.ltm.schemas.ControlAction;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.EncodedTokens;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.QueryOptions;
import io.ltm.schemas.serde.LtmSerdes;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.api.MemoryTopology;
import io.ltm.topology.api.Murmur2Placement;
import io.ltm.topology.internal.Names;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries and control commands that are not on their key's partition (murmur2, the default placement) are written
 * again to their topic on that partition, so a record that a non-Java producer put on another partition reaches the
 * task of its key. The driver has one partition per topic, so here the wiring and the partitioner are checked;
 * ForeignPartitionerTest (it module) sends to the wrong partitions of a real broker.
 */
class InputRepartitionTest {

    @TempDir
    Path stateDir;

    /** A key that librdkafka's default partitioner (CRC32) and Java's (murmur2) put on different partitions of 4. */
    static String keyOnAnotherPartition(int partitions) {
        for (int i = 0; ; i++) {
            String k = "user-" + i;
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(b);
            if (crc.getValue() % partitions != new Murmur2Placement().partition(b, partitions)) {
                return k;
            }
        }
    }

    @Test
    void queriesAndControlCommandsAreWrittenAgainToTheirTopicMarkedAndAnswered() {
        LtmConfig config = TestFixtures.config("repartition-" + UUID.randomUUID(), Map.of());
        Topology topology = MemoryTopology.build(config, new HashingEncoder(TestFixtures.DIM));
        String description = topology.describe().toString();
        assertThat(description)
                .contains(
                        Names.ROUTER_QUERIES,
                        Names.ROUTER_CONTROL,
                        Names.SINK_QUERIES_BY_KEY,
                        Names.SINK_CONTROL_BY_KEY);
        try (Driver d = new Driver(config, topology, stateDir)) {
            var copies =
                    d.driver.createOutputTopic("ltm.queries", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            String key = keyOnAnotherPartition(4);
            for (int i = 0; i < 3; i++) {
                d.tokens(key, 5, i);
            }
            MemoryResponse r = d.query(key);
            assertThat(r.getFound()).isTrue();
            assertThat(r.getStats().getTokensAbsorbed()).isEqualTo(15);
            // the first query was written again (the partition count was not known yet), marked with where it was
            // read; the driver has one partition, so from then on every key is on its partition
            var copy = copies.readRecordsToList();
            assertThat(copy).singleElement().satisfies(c -> {
                assertThat(new String(c.key(), StandardCharsets.UTF_8)).isEqualTo(key);
                assertThat(c.headers().lastHeader(Names.HEADER_ROUTED_FROM).value())
                        .asString(StandardCharsets.US_ASCII)
                        .isEqualTo("0:0");
            });
            assertThat(d.query(key).getFound()).isTrue();
            assertThat(copies.readRecordsToList()).isEmpty();
            d.forget(key);
            assertThat(d.query(key).getFound()).isFalse();
            assertThat(d.driver.producedTopicNames())
                    .as("no internal topic")
                    .allSatisfy(t -> assertThat(t).doesNotEndWith("-repartition"));
        }
    }

    @Test
    void theDeadLetterOfARoutedRecordNamesWhereItsProducerWroteIt() {
        LtmConfig config = TestFixtures.config("routed-dlq-" + UUID.randomUUID(), Map.of());
        try (Driver d =
                new Driver(config, MemoryTopology.build(config, new HashingEncoder(TestFixtures.DIM)), stateDir)) {
            var copies =
                    d.driver.createOutputTopic("ltm.queries", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            var dlq = d.driver.createOutputTopic(
                    "ltm.dlq",
                    new StringDeserializer(),
                    LtmSerdes.avro(DeadLetter.class, config.serdeConfig()).deserializer());
            d.queries.pipeInput(Driver.bytes("k"), new byte[] {0, 0, 0, 0, 7}); // the first record takes the detour
            assertThat(copies.readRecordsToList()).hasSize(1);
            assertThat(dlq.readValuesToList()).singleElement().satisfies(dead -> {
                assertThat(dead.getTopic()).isEqualTo("ltm.queries");
                assertThat(dead.getPartition()).isZero();
                assertThat(dead.getOffset())
                        .as("the producer's record, not the copy at 1")
                        .isZero();
            });
        }
    }

    @Test
    void withoutRoutingQueriesAreReadDirectly() {
        LtmConfig config =
                TestFixtures.config("direct-" + UUID.randomUUID(), Map.of(LtmConfig.INPUT_REPARTITION, false));
        Topology topology = MemoryTopology.build(config, new HashingEncoder(TestFixtures.DIM));
        assertThat(topology.describe().toString()).doesNotContain(Names.ROUTER_QUERIES);
        try (Driver d = new Driver(config, topology, stateDir)) {
            d.tokens("k", 5, 0);
            assertThat(d.query("k").getFound()).isTrue();
            assertThat(d.driver.producedTopicNames()).doesNotContain("ltm.queries");
        }
    }

    @Test
    void theNodeWaitsForIdleInputsFailsOverQuicklyAndKeepsAStandby() {
        Properties p = TestFixtures.config("props", Map.of(LtmConfig.INSTANCE_ID, "node-a"))
                .streamsProperties();
        assertThat(p.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(100L);
        assertThat(p.get(StreamsConfig.POLL_MS_CONFIG))
                .as("a commit the pacer holds back is not held for Streams' 100 ms poll")
                .isEqualTo(25L);
        assertThat(p.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
        assertThat(p.get(StreamsConfig.mainConsumerPrefix("session.timeout.ms")))
                .isEqualTo(6_000);
        assertThat(p.get(StreamsConfig.mainConsumerPrefix("heartbeat.interval.ms")))
                .isEqualTo(600);
        assertThat(p.get(StreamsConfig.producerPrefix("transaction.timeout.ms")))
                .isEqualTo(5_000);
        assertThat(p.get(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG)).isEqualTo(1_000L);
        assertThat(p.get(StreamsConfig.mainConsumerPrefix("group.instance.id"))).isEqualTo("node-a");
        // Streams suffixes the instance id per thread and applies the main-consumer overrides
        Map<String, Object> consumer = new StreamsConfig(p).getMainConsumerConfigs("ltm-test", "client", 0);
        assertThat(consumer).containsEntry("group.instance.id", "node-a-0").containsEntry("session.timeout.ms", 6_000);
        assertThat(new StreamsConfig(p).getProducerConfigs("client")).containsEntry("transaction.timeout.ms", 5_000);
        assertThat(TestFixtures.config("props", Map.of()).streamsProperties())
                .doesNotContainKey(StreamsConfig.mainConsumerPrefix("group.instance.id"));
    }

    private static final class Driver implements AutoCloseable {
        final TopologyTestDriver driver;
        final LtmConfig config;
        final TestInputTopic<byte[], byte[]> tokens;
        final TestInputTopic<byte[], byte[]> queries;
        final TestInputTopic<byte[], byte[]> control;
        final TestOutputTopic<String, MemoryResponse> responses;
        final Random rnd = new Random(3);

        Driver(LtmConfig config, Topology topology, Path stateDir) {
            this.config = config;
            Properties p = new Properties();
            p.putAll(config.streamsProperties());
            p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L); // the driver's wall clock stands still
            driver = new TopologyTestDriver(topology, p);
            ByteArraySerializer b = new ByteArraySerializer();
            tokens = driver.createInputTopic("ltm.tokens", b, b);
            queries = driver.createInputTopic("ltm.queries", b, b);
            control = driver.createInputTopic("ltm.control", b, b);
            responses = driver.createOutputTopic(
                    "ltm.responses",
                    new StringDeserializer(),
                    LtmSerdes.avro(MemoryResponse.class, config.serdeConfig()).deserializer());
        }

        void tokens(String key, int count, long offset) {
            EncodedTokens t = TestFixtures.tokens(TestFixtures.vectors(rnd, count), count, offset);
            tokens.pipeInput(
                    bytes(key),
                    LtmSerdes.avro(EncodedTokens.class, config.serdeConfig())
                            .serializer()
                            .serialize("ltm.tokens", t));
        }

        MemoryQuery queryFor(String key) {
            return MemoryQuery.newBuilder()
                    .setQueryId(UUID.randomUUID().toString())
                    .setKey(key)
                    .setText("what was said")
                    .setOptions(QueryOptions.newBuilder().setSpans(1).build())
                    .setRequestedAt(Instant.now())
                    .build();
        }

        byte[] encode(MemoryQuery q) {
            return LtmSerdes.avro(MemoryQuery.class, config.serdeConfig())
                    .serializer()
                    .serialize("ltm.queries", q);
        }

        MemoryResponse query(String key) {
            MemoryQuery q = queryFor(key);
            queries.pipeInput(bytes(key), encode(q));
            MemoryResponse r = responses.readValue();
            assertThat(r.getQueryId()).isEqualTo(q.getQueryId());
            return r;
        }

        void forget(String key) {
            control.pipeInput(bytes(key), TestFixtures.control(config, ControlAction.FORGET));
        }

        static byte[] bytes(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}
