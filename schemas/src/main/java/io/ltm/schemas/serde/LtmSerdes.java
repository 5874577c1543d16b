package io.ltm.schemas.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** The serdes of LTM Streams: keys are plain UTF-8 strings (the memory key), values Avro (Confluent wire format). */
public final class LtmSerdes {
    private LtmSerdes() {}

    /** A configured value serde for {@code type}; {@code config} needs at least {@code schema.registry.url}. */
    public static <T extends SpecificRecord> AvroSerde<T> avro(Class<T> type, Map<String, ?> config) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(config, false);
        return serde;
    }

    /** The key serde: the memory key as a UTF-8 string. */
    public static Serde<String> key() {
        return Serdes.String();
    }
}
