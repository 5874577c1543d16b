package io.ltm.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.embedded.LocalRegistry;
import io.ltm.schemas.DeadLetter;
import io.ltm.schemas.Evolution;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.TestRegistry;
import io.ltm.schemas.TokenEvent;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** {@link HttpSchemaRegistryClient} against the real server (Apicurio's Confluent-compatible API). */
class HttpSchemaRegistryClientTest {

    private final SchemaRegistryClient client =
            SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", TestRegistry.url()));

    @Test
    void registerGetByIdLookupLatest() {
        String subject = "client-" + UUID.randomUUID() + "-value";
        Schema schema = MemoryQuery.getClassSchema();
        assertThat(client.lookup(subject, schema)).isEmpty();
        assertThat(client.latest(subject)).isEmpty();

        int id = client.register(subject, schema);
        assertThat(client.register(subject, schema)).isEqualTo(id);
        assertThat(client.subjects()).contains(subject);

        HttpSchemaRegistryClient fresh = new HttpSchemaRegistryClient(TestRegistry.url());
        assertThat(fresh.getById(id)).isEqualTo(schema);
        assertThat(fresh.lookup(subject, schema)).contains(id);
        assertThat(fresh.lookup(subject, TokenEvent.getClassSchema())).isEmpty();
        RegisteredSchema latest = fresh.latest(subject).orElseThrow();
        assertThat(latest.id()).isEqualTo(id);
        assertThat(latest.version()).isEqualTo(1);
        assertThat(latest.subject()).isEqualTo(subject);
        assertThat(latest.schema()).isEqualTo(schema);

        // the same schema under another subject keeps its global id (as in Confluent's registry)
        assertThat(fresh.register("client-" + UUID.randomUUID() + "-value", schema))
                .isEqualTo(id);
    }

    @Test
    void clientsRegisteringANewSubjectAtOnceAllGetTheSameId() throws Exception {
        int threads = 12;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 5; round++) {
                String subject = "race-" + UUID.randomUUID() + "-value";
                Schema schema = DeadLetter.getClassSchema();
                var barrier = new java.util.concurrent.CyclicBarrier(threads);
                java.util.List<java.util.concurrent.Callable<Integer>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    HttpSchemaRegistryClient c = new HttpSchemaRegistryClient(TestRegistry.url());
                    c.subjects(); // connection warmed up, so the registrations really start together
                    calls.add(() -> {
                        barrier.await();
                        return c.register(subject, schema);
                    });
                }
                java.util.Set<Integer> distinct = new java.util.HashSet<>();
                for (var f : pool.invokeAll(calls)) {
                    distinct.add(f.get());
                }
                assertThat(distinct).hasSize(1);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void compatibilityCheckAndLevels() {
        String subject = "client-" + UUID.randomUUID() + "-value";
        Schema v1 = DeadLetter.getClassSchema();
        assertThat(client.testCompatibility(subject, v1)).as("no version yet").isTrue();
        client.register(subject, v1);
        Schema required = Evolution.withField(v1, "{\"name\":\"attempt\",\"type\":\"int\"}");
        assertThat(client.testCompatibility(subject, required)).isFalse();

        // no level of its own: Confluent answers 404 (empty), Apicurio answers NONE; either way the global level
        // applies
        assertThat(client.getCompatibility(subject))
                .satisfiesAnyOf(o -> assertThat(o).isEmpty(), o -> assertThat(o).contains(Compatibility.NONE));
        client.setCompatibility(subject, Compatibility.FORWARD);
        assertThat(client.getCompatibility(subject)).contains(Compatibility.FORWARD);
        // FORWARD: old readers must read new data; a new required field is fine for them
        assertThat(client.testCompatibility(subject, required)).isTrue();
        client.setCompatibility(subject, Compatibility.BACKWARD);
        assertThat(client.testCompatibility(subject, required)).isFalse();
        assertThat(client.getCompatibility(null)).contains(Compatibility.BACKWARD);
    }

    @Test
    void unknownIdIsA404WithTheRegistrysErrorCode() {
        assertThatThrownBy(() -> client.getById(987_654))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("/schemas/ids/987654")
                .satisfies(e -> {
                    SchemaRegistryException s = (SchemaRegistryException) e;
                    assertThat(s.isNotFound()).isTrue();
                    assertThat(s.errorCode()).isEqualTo(40403);
                });
    }

    @Test
    void invalidSchemaIsRefusedWithA4xx() {
        Schema notAvroRecordButValid = Schema.create(Schema.Type.STRING);
        // a plain "string" schema is valid Avro; registering it works and reads back
        String subject = "client-" + UUID.randomUUID() + "-value";
        int id = client.register(subject, notAvroRecordButValid);
        assertThat(client.getById(id)).isEqualTo(notAvroRecordButValid);
    }

    @Test
    void unreachableRegistryFailsAfterRetriesWithAClearMessage() {
        SchemaRegistryClient dead = SchemaRegistryClients.fromConfig(Map.of(
                "schema.registry.url",
                "http://127.0.0.1:" + LocalRegistry.freePort() + "/apis/ccompat/v7",
                "max.retries",
                2,
                "retries.wait.ms",
                10));
        assertThatThrownBy(() -> dead.getById(1))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("after 3 attempts")
                .hasMessageContaining("ConnectException")
                .satisfies(
                        e -> assertThat(((SchemaRegistryException) e).status()).isZero());
    }
}
