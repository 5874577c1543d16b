package io.ltm.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ltm.schemas.registry.Compatibility;
import io.ltm.schemas.registry.HttpSchemaRegistryClient;
import io.ltm.schemas.registry.MockSchemaRegistryClient;
import io.ltm.schemas.registry.SchemaRegistryClient;
import io.ltm.schemas.registry.SchemaRegistryException;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The BACKWARD rule of schemas/README.md, enforced by the real registry (and by the in-memory one alike). */
class EvolutionRuleTest {

    static Stream<Arguments> registries() {
        return Stream.of(
                Arguments.of("apicurio", (java.util.function.Supplier<SchemaRegistryClient>)
                        () -> new HttpSchemaRegistryClient(TestRegistry.url())),
                Arguments.of("mock", (java.util.function.Supplier<SchemaRegistryClient>)
                        () -> MockSchemaRegistryClient.forScope("evolution-" + UUID.randomUUID())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registries")
    void localRegistryStartsWithBackwardAndAnOptionalFieldIsAccepted(
            String name, java.util.function.Supplier<SchemaRegistryClient> factory) {
        SchemaRegistryClient c = factory.get();
        assertThat(c.getCompatibility(null)).contains(Compatibility.BACKWARD);
        String subject = "evo-" + UUID.randomUUID() + "-value";
        Schema v1 = TokenEvent.getClassSchema();
        int id1 = c.register(subject, v1);

        Schema v2 = Evolution.withField(v1, "{\"name\":\"language\",\"type\":[\"null\",\"string\"],\"default\":null}");
        assertThat(c.testCompatibility(subject, v2)).isTrue();
        int id2 = c.register(subject, v2);
        assertThat(id2).isNotEqualTo(id1);
        assertThat(c.latest(subject)).hasValueSatisfying(l -> {
            assertThat(l.id()).isEqualTo(id2);
            assertThat(l.version()).isEqualTo(2);
        });
        // a field with a non-null default is fine too
        Schema v3 = Evolution.withField(v2, "{\"name\":\"priority\",\"type\":\"int\",\"default\":0}");
        assertThat(c.testCompatibility(subject, v3)).isTrue();
        c.register(subject, v3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registries")
    void incompatibleChangesAreRefused(String name, java.util.function.Supplier<SchemaRegistryClient> factory) {
        SchemaRegistryClient c = factory.get();
        String subject = "evo-" + UUID.randomUUID() + "-value";
        Schema v1 = MemoryState.getClassSchema();
        c.register(subject, v1);

        Schema requiredWithoutDefault = Evolution.withField(v1, "{\"name\":\"epoch\",\"type\":\"long\"}");
        assertThat(c.testCompatibility(subject, requiredWithoutDefault)).isFalse();
        assertThatThrownBy(() -> c.register(subject, requiredWithoutDefault))
                .isInstanceOf(SchemaRegistryException.class)
                .satisfies(
                        e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(409));

        Schema typeChange = Evolution.withFieldType(v1, "dim", "\"string\"");
        assertThat(c.testCompatibility(subject, typeChange)).isFalse();
        assertThatThrownBy(() -> c.register(subject, typeChange))
                .isInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).isIncompatible())
                        .isTrue());

        // removing a field is BACKWARD-compatible (new readers ignore it), and the subject keeps working
        assertThat(c.testCompatibility(subject, Evolution.withoutField(v1, "stickyHistogram")))
                .isTrue();
        assertThat(c.latest(subject))
                .hasValueSatisfying(l -> assertThat(l.schema()).isEqualTo(v1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registries")
    void aSubjectLevelOverridesTheGlobalOne(String name, java.util.function.Supplier<SchemaRegistryClient> factory) {
        // (Apicurio: a subject level of NONE only removes the subject's rule, so the global BACKWARD still applies;
        // hence FORWARD here, which shows the override without relying on NONE)
        SchemaRegistryClient c = factory.get();
        String subject = "evo-" + UUID.randomUUID() + "-value";
        Schema v1 = ControlCommand.getClassSchema();
        c.register(subject, v1);
        Schema newRequired = Evolution.withField(v1, "{\"name\":\"epoch\",\"type\":\"long\"}");
        assertThat(c.testCompatibility(subject, newRequired)).isFalse();
        c.setCompatibility(subject, Compatibility.FORWARD);
        assertThat(c.getCompatibility(subject)).contains(Compatibility.FORWARD);
        assertThat(c.testCompatibility(subject, newRequired)).isTrue();
        c.register(subject, newRequired);
        assertThat(c.getCompatibility(null)).contains(Compatibility.BACKWARD); // global level untouched
    }
}
