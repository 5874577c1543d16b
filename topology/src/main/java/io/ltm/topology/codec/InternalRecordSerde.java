package io.ltm.topology.codec;

import io.ltm.schemas.serde.EarlierSchemas;
import io.ltm.schemas.serde.LtmSerdes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A serde for the memory node's own state records: a format byte, the 64-bit parsing fingerprint of the writer's
 * schema (Avro's CRC-64-AVRO) and the Avro binary body. Unlike the Confluent wire format it needs no schema registry
 * to be read, so a store stays readable when a registry forgets its schemas or gives their ids to others. A record
 * written with one of the type's {@link EarlierSchemas} is resolved against this release's schema as Avro resolves a
 * writer's schema against a reader's. A record in the Confluent wire format (magic byte 0: written by releases before
 * this one) is still read, through the registry.
 */
public final class InternalRecordSerde<T extends SpecificRecord> implements Serde<T> {
    /** This format; the Confluent wire format starts with 0. */
    static final byte FORMAT = 1;

    private static final int HEADER = 1 + Long.BYTES;

    private final Schema schema;
    private final long fingerprint;
    private final SpecificDatumWriter<T> writer;
    /** By the fingerprint of the schema a record was written with: this release's and the earlier ones. */
    private final Map<Long, SpecificDatumReader<T>> readers = new HashMap<>();
    /** Reads records in the Confluent wire format, or null for a record type that was never written in it. */
    private final Deserializer<T> legacy;

    private final Serializer<T> serializer;

    /** {@code registry}: the serde configuration for records in the Confluent wire format (schema.registry.url). */
    public InternalRecordSerde(Class<T> type, Map<String, ?> registry) {
        this(type, LtmSerdes.avro(type, registry).deserializer());
    }

    /** For a record type that only this format ever held. */
    public InternalRecordSerde(Class<T> type) {
        this(type, (Deserializer<T>) null);
    }

    private InternalRecordSerde(Class<T> type, Deserializer<T> legacy) {
        this.schema = SpecificData.get().getSchema(type);
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.writer = new SpecificDatumWriter<>(schema);
        readers.put(fingerprint, new SpecificDatumReader<>(schema));
        for (Schema earlier : EarlierSchemas.of(schema.getName()))
            readers.put(SchemaNormalization.parsingFingerprint64(earlier), new SpecificDatumReader<>(earlier, schema));
        this.legacy = legacy;
        this.serializer = newSerializer();
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    /**
     * One serializer per serde, with one buffer per thread kept between records (callers ask for the serializer per
     * record): a short-term record (tens of KB) or B (hundreds) written into a fresh stream grew it by doubling,
     * copying each record about twice more.
     */
    private Serializer<T> newSerializer() {
        ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);
        return (topic, value) -> {
            if (value == null) return null;
            Buffer b = buffers.get();
            try {
                b.out.reset();
                b.out.write(FORMAT);
                b.out.write(ByteBuffer.allocate(Long.BYTES).putLong(fingerprint).array());
                b.encoder = EncoderFactory.get().binaryEncoder(b.out, b.encoder);
                writer.write(value, b.encoder);
                b.encoder.flush();
                return b.out.toByteArray();
            } catch (IOException e) {
                throw new SerializationException("could not encode a " + schema.getName() + " record", e);
            } finally {
                b.release();
            }
        };
    }

    /** A thread's reusable output; an unusually large record's array is not kept. */
    private static final class Buffer {
        private static final int KEEP_BYTES = 1 << 20;
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 12);
        BinaryEncoder encoder;

        void release() {
            if (out.size() > KEEP_BYTES) {
                out = new ByteArrayOutputStream(1 << 12);
                encoder = null;
            }
        }
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) return null;
            if (bytes.length > 0 && bytes[0] == 0 && legacy != null) return legacy.deserialize(topic, bytes);
            if (bytes.length < HEADER || bytes[0] != FORMAT)
                throw new SerializationException("a " + schema.getName() + " record of unknown format "
                        + (bytes.length == 0 ? "(empty)" : Byte.toString(bytes[0])));
            long writtenWith = ByteBuffer.wrap(bytes, 1, Long.BYTES).getLong();
            SpecificDatumReader<T> reader = readers.get(writtenWith);
            if (reader == null)
                throw new SerializationException("a " + schema.getName() + " record written with another schema "
                        + "(fingerprint " + Long.toHexString(writtenWith) + ", this release's is "
                        + Long.toHexString(fingerprint) + "): written by a later release of LTM Streams, or damaged");
            try {
                BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
                return reader.read(null, dec);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("could not decode a " + schema.getName() + " record", e);
            }
        };
    }
}
