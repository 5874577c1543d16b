package io.ltm.topology.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The node bench's plain request/response pipeline: it echoes each query, stamped with when it took it up. */
class PlainPipelineTest {

    @Test
    void theEchoCarriesTheQueryAndTheWallClockOfItsProcessing() throws Exception {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "plain-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("plain").toString());
        Instant wall = Instant.parse("2026-12-06T02:00:00Z");
        try (TopologyTestDriver d = new TopologyTestDriver(NodeBench.counterTopology("in", "out", 50), p, wall)) {
            ByteArraySerializer b = new ByteArraySerializer();
            var in = d.createInputTopic("in", b, b);
            var out = d.createOutputTopic("out", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            byte[] key = "k".getBytes(StandardCharsets.UTF_8), value = {1, 2, 3};
            in.pipeInput(key, value);
            d.advanceWallClockTime(java.time.Duration.ofMillis(1234));
            in.pipeInput(key, value);

            var first = out.readRecord();
            var second = out.readRecord();
            assertThat(first.value()).isEqualTo(value);
            assertThat(takenUpAt(first)).isEqualTo(wall.toEpochMilli());
            assertThat(takenUpAt(second)).isEqualTo(wall.toEpochMilli() + 1234);
        }
    }

    private static long takenUpAt(TestRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(NodeBench.TAKEN_UP_AT);
        assertThat(h).isNotNull();
        return ByteBuffer.wrap(h.value()).getLong();
    }
}
