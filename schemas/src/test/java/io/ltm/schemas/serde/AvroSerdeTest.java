package io.ltm.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.schemas.ControlCommand;
import io.ltm.schemas.Evolution;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.Samples;
import io.ltm.schemas.TestRegistry;
import io.ltm.schemas.TokenEvent;
import io.ltm.schemas.registry.MockSchemaRegistryClient;
import io.ltm.schemas.registry.SchemaRegistryClient;
import io.ltm.schemas.registry.SchemaRegistryClients;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The serde on the in-memory registry and on the real one. */
class AvroSerdeTest {

    static Stream<String> registries() {
        return Stream.of("mock://serde-" + UUID.randomUUID(), "real");
    }

    static String url(String which) {
        return which.equals("real") ? TestRegistry.url() : which;
    }

    static Map<String, Object> config(String which, Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("schema.registry.url", url(which));
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static int idIn(byte[] wire) {
        return ByteBuffer.wrap(wire, 1, 4).getInt();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @ParameterizedTest
    @MethodSource("registries")
    void everyRecordTypeRoundTripsInTheConfluentWireFormat(String which) {
        String prefix = "rt-" + UUID.randomUUID() + ".";
        SchemaRegistryClient registry = SchemaRegistryClients.fromConfig(config(which));
        for (Map.Entry<String, SpecificRecord> e : Samples.byTopic().entrySet()) {
            String topic = prefix + e.getKey();
            SpecificRecord record = e.getValue();
            AvroSerde serde = LtmSerdes.avro(record.getClass(), config(which));
            byte[] wire = serde.serializer().serialize(topic, record);
            assertThat(wire[0]).as("magic byte").isZero();
            int id = idIn(wire);
            assertThat(registry.lookup(topic + "-value", record.getSchema()))
                    .as("id in bytes 1-4 of %s", topic)
                    .contains(id);
            assertThat(registry.getById(id)).isEqualTo(record.getSchema());
            // the body is plain Avro binary of the registered schema
            assertThat(Arrays.copyOfRange(wire, 5, wire.length)).isEqualTo(avroBody(record));
            Object back = serde.deserializer().deserialize(topic, wire);
            assertThat(back).isEqualTo(record);
            serde.close();
        }
    }

    static byte[] avroBody(SpecificRecord r) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new org.apache.avro.specific.SpecificDatumWriter<SpecificRecord>(
                            r.getSchema(), org.apache.avro.specific.SpecificData.getForClass(r.getClass()))
                    .write(r, enc);
            enc.flush();
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("registries")
    void olderAndNewerCompatibleWritersAreResolvedAgainstTheGeneratedClass(String which) {
        String topic = "evo-" + UUID.randomUUID();
        SchemaRegistryClient registry = SchemaRegistryClients.fromConfig(config(which));
        AvroSerde<TokenEvent> serde = LtmSerdes.avro(TokenEvent.class, config(which));
        // an older producer did not have sourceId yet
        Schema older = Evolution.withoutField(TokenEvent.getClassSchema(), "sourceId");
        GenericRecord old = new GenericData.Record(older);
        old.put("text", "from an old producer");
        byte[] oldWire = frame(registry.register(topic + "-value", older), older, old);
        TokenEvent read = serde.deserializer().deserialize(topic, oldWire);
        assertThat(read.getText()).isEqualTo("from an old producer");
        assertThat(read.getSourceId()).isNull();
        // current producer
        byte[] cur = serde.serializer().serialize(topic, Samples.tokenEvent());
        // a newer producer added an optional field
        Schema newer = Evolution.withField(
                TokenEvent.getClassSchema(), "{\"name\":\"language\",\"type\":[\"null\",\"string\"],\"default\":null}");
        GenericRecord neu = new GenericData.Record(newer);
        neu.put("text", "from a newer producer");
        neu.put("sourceId", "n-1");
        neu.put("language", "en");
        int newerId = registry.register(topic + "-value", newer);
        assertThat(newerId).isNotEqualTo(idIn(cur)).isNotEqualTo(idIn(oldWire));
        TokenEvent fromNewer = serde.deserializer().deserialize(topic, frame(newerId, newer, neu));
        assertThat(fromNewer.getText()).isEqualTo("from a newer producer");
        assertThat(fromNewer.getSourceId()).isEqualTo("n-1");
        assertThat(serde.deserializer().deserialize(topic, cur)).isEqualTo(Samples.tokenEvent());
    }

    @ParameterizedTest
    @MethodSource("registries")
    void subjectNameStrategies(String which) {
        String topic = "sns-" + UUID.randomUUID();
        SchemaRegistryClient registry = SchemaRegistryClients.fromConfig(config(which));
        Schema s = ControlCommand.getClassSchema();
        serialize(config(which), topic, false);
        assertThat(registry.lookup(topic + "-value", s)).isPresent();
        serialize(
                config(
                        which,
                        "value.subject.name.strategy",
                        "io.confluent.kafka.serializers.subject.RecordNameStrategy"),
                topic,
                false);
        assertThat(registry.lookup("io.ltm.schemas.ControlCommand", s)).isPresent();
        serialize(config(which, "key.subject.name.strategy", "TopicRecordNameStrategy"), topic, true);
        assertThat(registry.lookup(topic + "-io.ltm.schemas.ControlCommand", s)).isPresent();
        serialize(config(which), topic, true);
        assertThat(registry.lookup(topic + "-key", s)).isPresent();
    }

    private static void serialize(Map<String, Object> cfg, String topic, boolean isKey) {
        AvroSerializer<ControlCommand> ser = new AvroSerializer<>();
        ser.configure(cfg, isKey);
        ser.serialize(topic, Samples.controlCommand());
    }

    @ParameterizedTest
    @MethodSource("registries")
    void autoRegisterOffNeedsARegisteredSchema(String which) {
        String topic = "noreg-" + UUID.randomUUID();
        AvroSerializer<MemoryQuery> ser = new AvroSerializer<>();
        ser.configure(config(which, "auto.register.schemas", "false"), false);
        assertThatThrownBy(() -> ser.serialize(topic, Samples.memoryQuery()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not registered under subject '" + topic + "-value'")
                .hasMessageContaining("auto.register.schemas=false");
        int id = SchemaRegistryClients.fromConfig(config(which))
                .register(topic + "-value", MemoryQuery.getClassSchema());
        assertThat(idIn(ser.serialize(topic, Samples.memoryQuery()))).isEqualTo(id);
    }

    @ParameterizedTest
    @MethodSource("registries")
    void useLatestVersionWritesWithTheSubjectsNewestSchema(String which) {
        String topic = "latest-" + UUID.randomUUID();
        SchemaRegistryClient registry = SchemaRegistryClients.fromConfig(config(which));
        registry.register(topic + "-value", TokenEvent.getClassSchema());
        Schema newer = Evolution.withField(
                TokenEvent.getClassSchema(), "{\"name\":\"language\",\"type\":\"string\",\"default\":\"und\"}");
        int newerId = registry.register(topic + "-value", newer);
        AvroSerializer<TokenEvent> ser = new AvroSerializer<>();
        ser.configure(config(which, "use.latest.version", true, "auto.register.schemas", false), false);
        byte[] wire = ser.serialize(topic, Samples.tokenEvent());
        assertThat(idIn(wire)).isEqualTo(newerId);
        GenericRecord g = (GenericRecord) readGeneric(newer, wire);
        assertThat(g.get("language").toString()).isEqualTo("und");
        assertThat(g.get("text").toString()).isEqualTo(Samples.tokenEvent().getText());
        // and our own reader still reads it
        assertThat(LtmSerdes.avro(TokenEvent.class, config(which))
                        .deserializer()
                        .deserialize(topic, wire))
                .isEqualTo(Samples.tokenEvent());
    }

    @ParameterizedTest
    @MethodSource("registries")
    void clearErrorsForBadInput(String which) {
        String topic = "bad-" + UUID.randomUUID();
        AvroSerde<TokenEvent> serde = LtmSerdes.avro(TokenEvent.class, config(which));
        var de = serde.deserializer();
        assertThat(de.deserialize(topic, null)).isNull();
        assertThat(serde.serializer().serialize(topic, null)).isNull();
        assertThatThrownBy(() -> de.deserialize(topic, new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("too short")
                .hasMessageContaining("3 bytes");
        assertThatThrownBy(() -> de.deserialize(topic, "{\"json\":1}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown magic byte 123");
        assertThatThrownBy(() -> de.deserialize(topic, new byte[] {0, 0x3b, (byte) 0x9a, (byte) 0xca, 0, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown schema id 1000000000");
        byte[] good = serde.serializer().serialize(topic, Samples.tokenEvent());
        assertThatThrownBy(() -> de.deserialize(topic, Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("truncated or corrupt")
                .hasMessageContaining("schema id " + idIn(good));
        byte[] longer = Arrays.copyOf(good, good.length + 2);
        assertThatThrownBy(() -> de.deserialize(topic, longer))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("trailing bytes");
    }

    @ParameterizedTest
    @MethodSource("registries")
    void readingAnotherRecordTypeFailsWithTheReason(String which) {
        String topic = "wrongtype-" + UUID.randomUUID();
        byte[] query =
                LtmSerdes.avro(MemoryQuery.class, config(which)).serializer().serialize(topic, Samples.memoryQuery());
        assertThatThrownBy(() -> LtmSerdes.avro(TokenEvent.class, config(which))
                        .deserializer()
                        .deserialize(topic, query))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id " + idIn(query) + " (io.ltm.schemas.MemoryQuery) cannot be read as "
                        + "io.ltm.schemas.TokenEvent");
    }

    @Test
    void unconfiguredOrMisconfiguredSerdesFailClearly() {
        assertThatThrownBy(() -> new AvroSerializer<TokenEvent>().serialize("t", Samples.tokenEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not configured");
        assertThatThrownBy(() -> LtmSerdes.avro(TokenEvent.class, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> LtmSerdes.avro(
                        TokenEvent.class,
                        Map.of("schema.registry.url", "mock://x", "value.subject.name.strategy", "Nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("subject name strategy");
        MockSchemaRegistryClient.dropScope("x");
    }

    @Test
    void deserializerFindsTheClassByConfigOrByWriterName() {
        Map<String, Object> cfg = config("mock://byname");
        byte[] wire = LtmSerdes.avro(MemoryQuery.class, cfg).serializer().serialize("q", Samples.memoryQuery());
        AvroDeserializer<MemoryQuery> byConfig = new AvroDeserializer<>();
        Map<String, Object> withType = new HashMap<>(cfg);
        withType.put("specific.avro.value.type", MemoryQuery.class.getName());
        byConfig.configure(withType, false);
        assertThat(byConfig.deserialize("q", wire)).isEqualTo(Samples.memoryQuery());
        AvroDeserializer<MemoryQuery> byName = new AvroDeserializer<>();
        byName.configure(cfg, false);
        assertThat(byName.deserialize("q", wire)).isEqualTo(Samples.memoryQuery());
        MockSchemaRegistryClient.dropScope("byname");
    }

    static byte[] frame(int id, Schema schema, Object datum) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<Object>(schema).write(datum, enc);
            enc.flush();
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Object readGeneric(Schema schema, byte[] wire) {
        try {
            return new GenericDatumReader<Object>(schema)
                    .read(null, DecoderFactory.get().binaryDecoder(wire, 5, wire.length - 5, null));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
