package io.ltm.topology.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
import io.ltm.model.Timeline;
import io.ltm.model.TokenSource;
import io.ltm.schemas.serde.LtmSerdes;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class InternalRecordSerdeTest {

    private static final MemoryConfig CFG =
            MemoryConfig.builder().dim(8).basisSize(16).contractionLength(12).build();

    private final io.ltm.schemas.MemoryState record = MemoryStateCodec.toAvro(MemoryState.empty(CFG), CFG);

    @Test
    void aRecordIsReadWithoutAnyRegistry() {
        // a registry that is not there: the format carries its schema's fingerprint, not a registry id
        Map<String, Object> noRegistry = Map.of("schema.registry.url", "http://127.0.0.1:1");
        var serde = new InternalRecordSerde<>(io.ltm.schemas.MemoryState.class, noRegistry);
        byte[] bytes = serde.serializer().serialize("t", record);
        assertThat(bytes[0]).isEqualTo(InternalRecordSerde.FORMAT);
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(record);
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void aRecordInTheConfluentWireFormatIsStillReadThroughTheRegistry() {
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://internal-serde-test");
        byte[] old = LtmSerdes.avro(io.ltm.schemas.MemoryState.class, registry)
                .serializer()
                .serialize("t", record);
        assertThat(old[0]).isZero();
        var serde = new InternalRecordSerde<>(io.ltm.schemas.MemoryState.class, registry);
        assertThat(serde.deserializer().deserialize("t", old)).isEqualTo(record);
    }

    @Test
    void aRecordOfAnotherSchemaOrFormatIsRefusedWithAReason() {
        var serde = new InternalRecordSerde<>(
                io.ltm.schemas.MemoryState.class, Map.of("schema.registry.url", "mock://internal-serde-test"));
        byte[] bytes = serde.serializer().serialize("t", record);
        bytes[3] ^= 1; // another writer's schema
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("another schema")
                .hasMessageContaining("later release");
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {7, 1, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown format 7");
    }

    /**
     * A record the release before packed sources wrote (resource memory-state-with-source-records.bin: three segments,
     * the second merged, source ids and a second topic) is resolved against this release's schema, and its timeline
     * reads as it was written.
     */
    @Test
    void aRecordWrittenWithAnEarlierSchemaIsRead() throws Exception {
        byte[] old;
        try (var in = getClass().getResourceAsStream("memory-state-with-source-records.bin")) {
            old = in.readAllBytes();
        }
        var serde = new InternalRecordSerde<>(io.ltm.schemas.MemoryState.class);
        io.ltm.schemas.MemoryState read = serde.deserializer().deserialize("t", old);
        assertThat(read.getPackedSources()).isNull();
        assertThat(read.getContractions()).isEqualTo(3);
        assertThat(read.getTokensAbsorbed()).isEqualTo(96);
        Timeline tl = MemoryStateCodec.timeline(read);
        assertThat(tl.segmentCount()).isEqualTo(3);
        assertThat(tl.segmentFirstToken(1)).isEqualTo(32);
        assertThat(tl.segmentSource(0)).isEqualTo(new TokenSource("ltm.events", 2, 100, 1_700_000_000_000L, "e100"));
        assertThat(tl.segmentSource(1)).isEqualTo(new TokenSource("ltm.events", 2, 101, 1_700_000_001_000L, null));
        assertThat(tl.segmentLastSource(1))
                .isEqualTo(new TokenSource("ltm.events", 2, 140, 1_700_000_040_000L, "e140"));
        assertThat(tl.segmentLastSource(2)).isEqualTo(new TokenSource("other", 0, 7, 1_700_000_050_000L, null));
        assertThat(tl.knotToken(1)).isEqualTo(95.0);

        // written again by this release: the same timeline, packed
        byte[] again = serde.serializer().serialize("t", MemoryStateCodec.toAvro(stateWith(tl), CFG));
        io.ltm.schemas.MemoryState packed = serde.deserializer().deserialize("t", again);
        assertThat(packed.getSources()).isEmpty();
        assertThat(packed.getPackedSources()).isNotNull();
        assertThat(MemoryStateCodec.timeline(packed)).isEqualTo(tl);
    }

    private static MemoryState stateWith(Timeline tl) {
        return MemoryState.restore(
                CFG.dim(), CFG.basisSize(), null, new float[0], 0, java.util.List.of(), 96, 3, tl, null, 0);
    }
}
