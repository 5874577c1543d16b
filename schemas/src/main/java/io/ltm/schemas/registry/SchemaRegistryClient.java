package io.ltm.schemas.registry;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API that LTM Streams uses (Avro only).
 * Implementations: {@link HttpSchemaRegistryClient} (any server speaking the Confluent REST API: Confluent, Apicurio's
 * {@code /apis/ccompat/v7}, Karapace, Redpanda) and {@link MockSchemaRegistryClient} ({@code mock://SCOPE} URLs).
 * Create one from serde-style configuration with {@link SchemaRegistryClients#fromConfig(java.util.Map)}.
 * Failures throw {@link SchemaRegistryException}.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. 409 if incompatible. */
    int register(String subject, Schema schema);

    /** The schema with this global id; 404 ({@link SchemaRegistryException#isNotFound()}) if unknown. */
    Schema getById(int id);

    /** The id of {@code schema} if it is registered under {@code subject}, else empty. */
    Optional<Integer> lookup(String subject, Schema schema);

    /** The latest version registered under {@code subject}, or empty if the subject does not exist. */
    Optional<RegisteredSchema> latest(String subject);

    /**
     * Whether {@code schema} may be registered under {@code subject} by the subject's compatibility level
     * (true when the subject has no version yet).
     */
    boolean testCompatibility(String subject, Schema schema);

    /** Sets the compatibility level of {@code subject}, or the global default when {@code subject} is null. */
    void setCompatibility(String subject, Compatibility level);

    /** The level configured for {@code subject} (global when null); empty when the subject has none of its own. */
    Optional<Compatibility> getCompatibility(String subject);

    /** All subject names. */
    List<String> subjects();

    @Override
    default void close() {}
}
