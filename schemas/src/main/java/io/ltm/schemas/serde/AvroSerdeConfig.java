package io.ltm.schemas.serde;

import io.ltm.schemas.registry.SchemaRegistryClients;
import java.util.Map;

/** Configuration keys of {@link AvroSerde} (Confluent's names, so existing client configs work unchanged). */
public final class AvroSerdeConfig {
    /** Comma-separated registry base URLs, or {@code mock://SCOPE}. Required. */
    public static final String SCHEMA_REGISTRY_URL = SchemaRegistryClients.URL;

    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = SchemaRegistryClients.CREDENTIALS_SOURCE;
    public static final String BASIC_AUTH_USER_INFO = SchemaRegistryClients.USER_INFO;
    /** Register the record's schema when serializing (default true). When false the schema must already be there. */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    /** Serialize with the subject's latest schema (resolved from the record's schema) instead of the record's own. */
    public static final String USE_LATEST_VERSION = "use.latest.version";

    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    /** Class of the generated record the deserializer produces (when not given to the constructor). */
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";

    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";

    private AvroSerdeConfig() {}

    static boolean bool(Map<String, ?> config, String key, boolean dflt) {
        Object v = config.get(key);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        String s = String.valueOf(v).trim();
        if (s.equalsIgnoreCase("true")) return true;
        if (s.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException("configuration " + key + " must be true or false: " + s);
    }
}
