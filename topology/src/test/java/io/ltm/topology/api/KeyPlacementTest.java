package io.ltm.topology.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KeyPlacementTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void murmur2PlacesKeysAsTheJavaProducersDefaultPartitioner() {
        KeyPlacement murmur2 = new Murmur2Placement();
        for (int i = 0; i < 1000; i++) {
            byte[] k = bytes("key-" + i);
            for (int partitions : new int[] {1, 4, 7, 12}) {
                assertThat(murmur2.partition(k, partitions))
                        .isEqualTo(BuiltInPartitioner.partitionForKey(k, partitions));
            }
        }
    }

    @Test
    void crc32PlacesKeysAsLibrdkafkasConsistentPartitioner() {
        // CRC-32 of the key modulo the count; the values from Python's zlib.crc32, the first CRC-32's check value
        KeyPlacement crc32 = new Crc32Placement();
        assertThat(crc32.partition(bytes("123456789"), 7)).isEqualTo((int) (3421780262L % 7));
        assertThat(crc32.partition(bytes("chat-1"), 12)).isEqualTo((int) (930540260L % 12));
        assertThat(crc32.partition(bytes("py-user-0"), 4)).isEqualTo((int) (3007107773L % 4));
        assertThat(crc32.partition(new byte[0], 4)).isZero();
        long apart = IntStream.range(0, 1000)
                .filter(i ->
                        crc32.partition(bytes("key-" + i), 4) != new Murmur2Placement().partition(bytes("key-" + i), 4))
                .count();
        assertThat(apart)
                .as("keys the two placements put on different partitions of 4")
                .isGreaterThan(600);
    }

    @Test
    void aProducerWithThePlacementAsItsPartitionerWritesKeysWhereThePlacementSaysAndKeylessRecordsAnywhere()
            throws Exception {
        Node broker = new Node(0, "localhost", 9092);
        List<PartitionInfo> parts = IntStream.range(0, 5)
                .mapToObj(p -> new PartitionInfo("t", p, broker, new Node[] {broker}, new Node[] {broker}))
                .toList();
        Cluster cluster = new Cluster("c", List.of(broker), parts, Set.of(), Set.of());
        for (KeyPlacement placement : KeyPlacement.all()) {
            Set<Integer> keyless = new HashSet<>();
            try (MockProducer<String, String> producer =
                    new MockProducer<>(cluster, true, placement, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 200; i++) {
                    RecordMetadata keyed = producer.send(new ProducerRecord<>("t", "key-" + i, "v"))
                            .get();
                    assertThat(keyed.partition()).isEqualTo(placement.partition(bytes("key-" + i), 5));
                    keyless.add(producer.send(new ProducerRecord<>("t", null, "v"))
                            .get()
                            .partition());
                }
            }
            assertThat(keyless)
                    .as("records without a key, on random partitions")
                    .hasSizeGreaterThan(1);
            assertThat(keyless).allSatisfy(p -> assertThat(p).isBetween(0, 4));
        }
    }

    @Test
    void theConfigurationNamesThePlacementAndRefusesOthersNamingTheKey() {
        assertThat(new LtmConfig(Map.of()).keyPlacement()).isInstanceOf(Murmur2Placement.class);
        assertThat(new LtmConfig(Map.of(LtmConfig.KEY_PLACEMENT, "crc32")).keyPlacement())
                .isInstanceOf(Crc32Placement.class);
        assertThatThrownBy(() -> new LtmConfig(Map.of(LtmConfig.KEY_PLACEMENT, "CRC32")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LtmConfig.KEY_PLACEMENT);
        assertThatThrownBy(() -> KeyPlacement.of("fnv1a"))
                .hasMessageContaining("murmur2")
                .hasMessageContaining("crc32");
    }
}
