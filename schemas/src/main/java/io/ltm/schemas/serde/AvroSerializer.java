package io.ltm.schemas.serde;

import io.ltm.schemas.registry.RegisteredSchema;
import io.ltm.schemas.registry.SchemaRegistryClient;
import io.ltm.schemas.registry.SchemaRegistryClients;
import io.ltm.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes generated Avro records in the Confluent wire format: byte 0 = magic 0, bytes 1-4 = the schema id
 * (big-endian), then the Avro binary body. Null stays null (tombstones). See {@link AvroSerdeConfig} for the keys.
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    static final byte MAGIC = 0;

    private SchemaRegistryClient client;
    private boolean isKey;
    private boolean autoRegister = true;
    private boolean useLatest;
    private SubjectNameStrategy strategy = SubjectNameStrategy.TOPIC_NAME;
    private final Map<Class<?>, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final Map<String, RegisteredSchema> latestBySubject = new ConcurrentHashMap<>();

    public AvroSerializer() {}

    /** With an explicit client; {@link #configure} then ignores {@code schema.registry.url}. */
    public AvroSerializer(SchemaRegistryClient client) {
        this.client = client;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (client == null) client = SchemaRegistryClients.fromConfig(configs);
        autoRegister = AvroSerdeConfig.bool(configs, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, true);
        useLatest = AvroSerdeConfig.bool(configs, AvroSerdeConfig.USE_LATEST_VERSION, false);
        strategy = SubjectNameStrategy.parse(configs.get(
                isKey ? AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY : AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY));
    }

    public SchemaRegistryClient client() {
        return client;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) return null;
        if (client == null) {
            throw new SerializationException(
                    "AvroSerializer is not configured: call configure() with " + AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        }
        Schema schema = data.getSchema();
        String subject = strategy.subject(topic, isKey, schema);
        int id;
        Schema target = schema;
        try {
            if (useLatest) {
                RegisteredSchema latest = latestBySubject.computeIfAbsent(
                        subject,
                        s -> client.latest(s)
                                .orElseThrow(() -> new SerializationException("use.latest.version is set but subject '"
                                        + s + "' has no schema in the registry")));
                id = latest.id();
                target = latest.schema();
            } else if (autoRegister) {
                id = client.register(subject, schema);
            } else {
                id = client.lookup(subject, schema)
                        .orElseThrow(() -> new SerializationException("schema of "
                                + schema.getFullName() + " is not registered under subject '" + subject
                                + "' and auto.register.schemas=false"));
            }
        } catch (SchemaRegistryException e) {
            throw new SerializationException(
                    "could not "
                            + (useLatest
                                    ? "get the latest schema of"
                                    : autoRegister
                                            ? "register the schema of " + schema.getFullName() + " under"
                                            : "look up the schema of " + schema.getFullName() + " under")
                            + " subject '" + subject + "' (topic " + topic + "): "
                            + e.getMessage(),
                    e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(MAGIC);
            out.write(id >>> 24);
            out.write(id >>> 16);
            out.write(id >>> 8);
            out.write(id);
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
            if (target.equals(schema)) {
                writerFor(data).write(data, enc);
            } else {
                writeAs(data, schema, target, enc);
            }
            enc.flush();
            return out.toByteArray();
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            throw new SerializationException(
                    "could not write " + schema.getFullName() + " as Avro (schema id " + id + ", topic " + topic + "): "
                            + e,
                    e);
        }
    }

    @SuppressWarnings("unchecked")
    private DatumWriter<Object> writerFor(T data) {
        return writers.computeIfAbsent(data.getClass(), c -> {
            SpecificData model = SpecificData.getForClass(c);
            return (DatumWriter<Object>) (DatumWriter<?>) new SpecificDatumWriter<>(data.getSchema(), model);
        });
    }

    /** use.latest.version with a schema that differs from the record's: resolve the record into the latest schema. */
    private void writeAs(T data, Schema own, Schema target, BinaryEncoder enc) throws IOException {
        ByteArrayOutputStream tmp = new ByteArrayOutputStream(256);
        BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(tmp, null);
        writerFor(data).write(data, e);
        e.flush();
        GenericDatumReader<Object> reader = new GenericDatumReader<>(own, target, GenericData.get());
        Object resolved;
        try {
            resolved = reader.read(null, DecoderFactory.get().binaryDecoder(tmp.toByteArray(), null));
        } catch (AvroRuntimeException ex) {
            throw new SerializationException(
                    "record of " + own.getFullName()
                            + " cannot be expressed in the subject's latest schema (use.latest.version): "
                            + ex.getMessage(),
                    ex);
        }
        new GenericDatumWriter<>(target, GenericData.get()).write(resolved, enc);
    }

    @Override
    public void close() {
        if (client != null) client.close();
    }
}
