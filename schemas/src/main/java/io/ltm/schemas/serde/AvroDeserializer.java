package io.ltm.schemas.serde;

import io.ltm.schemas.registry.SchemaRegistryClient;
import io.ltm.schemas.registry.SchemaRegistryClients;
import io.ltm.schemas.registry.SchemaRegistryException;
import io.ltm.schemas.registry.SchemaRegistryUnavailableException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format into generated Avro records: the writer schema is fetched by the id in the
 * message (and cached) and resolved against the reader schema of the target class, so data written with an older
 * or newer compatible schema reads fine. The target class comes from the constructor, from
 * {@code specific.avro.value.type}/{@code specific.avro.key.type}, or else from the writer schema's full name.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private SchemaRegistryClient client;
    private Class<T> type;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    public AvroDeserializer() {}

    public AvroDeserializer(Class<T> type) {
        this.type = type;
    }

    /** With an explicit client; {@link #configure} then ignores {@code schema.registry.url}. */
    public AvroDeserializer(Class<T> type, SchemaRegistryClient client) {
        this.type = type;
        this.client = client;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client == null) client = SchemaRegistryClients.fromConfig(configs);
        if (type == null) {
            Object t = configs.get(
                    isKey ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE);
            if (t instanceof Class<?> c) {
                type = (Class<T>) c;
            } else if (t != null) {
                try {
                    type = (Class<T>) Class.forName(
                            String.valueOf(t).trim(),
                            true,
                            Thread.currentThread().getContextClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalArgumentException("class " + t + " not found", e);
                }
            }
            if (type != null && !SpecificRecord.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(type + " is not a generated Avro class (SpecificRecord)");
            }
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) return null;
        if (client == null) {
            throw new SerializationException(
                    "AvroDeserializer is not configured: call configure() with " + AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        }
        if (data.length < 5) {
            throw new SerializationException(
                    "record on topic " + topic + " is too short for the Confluent wire format: " + data.length
                            + " bytes, need at least 5 (magic byte + schema id)");
        }
        if (data[0] != AvroSerializer.MAGIC) {
            throw new SerializationException("unknown magic byte " + (data[0] & 0xff) + " in a record on topic " + topic
                    + " (expected 0: Confluent wire format); not written by a schema-registry Avro serializer?");
        }
        int id = ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
        SpecificDatumReader<T> reader = readers.computeIfAbsent(id, this::newReader);
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null);
        T value;
        try {
            value = reader.read(null, dec);
        } catch (IOException | AvroRuntimeException | ClassCastException | IndexOutOfBoundsException e) {
            throw new SerializationException(
                    "could not decode the Avro body (" + (data.length - 5) + " bytes) of a record with schema id " + id
                            + " on topic " + topic + ", truncated or corrupt? " + e,
                    e);
        }
        try {
            if (!dec.isEnd()) {
                throw new SerializationException("record with schema id " + id + " on topic " + topic
                        + " has trailing bytes after its Avro body: corrupt, or not written with schema " + id);
            }
        } catch (IOException e) {
            throw new SerializationException("could not read record on topic " + topic + ": " + e, e);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private SpecificDatumReader<T> newReader(int id) {
        Schema writer;
        try {
            writer = client.getById(id);
        } catch (SchemaRegistryUnavailableException e) {
            throw e; // the registry did not answer: the record may be fine, so it must be retried, not rejected
        } catch (SchemaRegistryException e) {
            if (e.isNotFound() || e.status() == 200) {
                // the registry answered: no such id, or a schema that cannot be used; the record is bad
                throw new SerializationException(
                        (e.isNotFound()
                                        ? "unknown schema id " + id + " (not in the schema registry)"
                                        : "unusable schema id " + id)
                                + ": " + e.getMessage(),
                        e);
            }
            // refused (401, 403, another 4xx): a fault of the setup, not of the record; retry until it is fixed
            throw new SchemaRegistryUnavailableException(
                    "could not fetch schema id " + id + ": " + e.getMessage(), e.status(), e.errorCode(), e);
        }
        Class<T> target = type;
        if (target == null) {
            Class<?> c = SpecificData.get().getClass(writer);
            if (c == null || !SpecificRecord.class.isAssignableFrom(c)) {
                throw new SerializationException("no generated class for " + writer.getFullName() + " (schema id " + id
                        + "): set " + AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE);
            }
            target = (Class<T>) c;
        }
        SpecificData model = SpecificData.getForClass(target);
        Schema reader = model.getSchema(target);
        if (writer.getType() != Schema.Type.RECORD) {
            throw new SerializationException("schema id " + id + " is a " + writer.getType() + ", not a record");
        }
        SchemaCompatibility.SchemaPairCompatibility compat =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("data written with schema id " + id + " (" + writer.getFullName()
                    + ") cannot be read as " + target.getName() + ": "
                    + compat.getResult().getIncompatibilities().stream()
                            .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
                            .toList());
        }
        return new SpecificDatumReader<>(writer, reader, model);
    }

    @Override
    public void close() {
        if (client != null) client.close();
    }
}
