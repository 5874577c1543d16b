package io.ltm.topology.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.model.MemoryConfig;
import io.ltm.model.MemoryState;
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
                .hasMessageContaining("another schema");
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {7, 1, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown format 7");
    }
}
