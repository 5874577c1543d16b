package io.ltm.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.schemas.registry.HttpSchemaRegistryClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The .avsc files, the generated classes and the registry agree with each other. */
class SchemasTest {
    static final Path AVRO_DIR = Path.of("src/main/avro");

    /** Parses every .avsc file in one parser, imports first (as the Maven plugin does). */
    static Map<String, Schema> parseAvscFiles() throws IOException {
        Schema.Parser parser = new Schema.Parser(); // validates names and defaults
        List<Path> files = new ArrayList<>();
        for (String first : List.of("Common.avsc", "MemoryQuery.avsc", "MemoryState.avsc"))
            files.add(AVRO_DIR.resolve(first));
        try (var s = Files.list(AVRO_DIR)) {
            s.filter(p -> p.toString().endsWith(".avsc"))
                    .sorted()
                    .filter(p -> !files.contains(p))
                    .forEach(files::add);
        }
        for (Path p : files) parser.parse(p.toFile());
        return new TreeMap<>(parser.getTypes());
    }

    @Test
    void avscFilesParseAndMatchTheGeneratedClasses() throws Exception {
        Map<String, Schema> types = parseAvscFiles();
        assertThat(types)
                .containsKeys(
                        "io.ltm.schemas.TokenEvent",
                        "io.ltm.schemas.EncodedTokens",
                        "io.ltm.schemas.MemoryQuery",
                        "io.ltm.schemas.MemoryResponse",
                        "io.ltm.schemas.AttentionRequest",
                        "io.ltm.schemas.ControlCommand",
                        "io.ltm.schemas.DeadLetter",
                        "io.ltm.schemas.MemoryState",
                        "io.ltm.schemas.NoveltyScore",
                        "io.ltm.schemas.RereadRequest");
        for (Map.Entry<String, Schema> e : types.entrySet()) {
            Class<?> c = Class.forName(e.getKey());
            Schema generated = (Schema) c.getField("SCHEMA$").get(null);
            assertThat(SchemaNormalization.parsingFingerprint64(generated))
                    .as("generated class %s matches its .avsc (did someone edit one without rebuilding?)", e.getKey())
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(e.getValue()));
        }
    }

    @Test
    void everyTopLevelSchemaIsSelfContainedAndReadsItself() {
        for (SpecificRecord r : Samples.byTopic().values()) {
            Schema s = r.getSchema();
            // what the serializer registers: the full schema text with every named type inline
            Schema reparsed = new Schema.Parser().parse(s.toString());
            assertThat(reparsed).isEqualTo(s);
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(s, reparsed)
                            .getType())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @Test
    void recordsWithOnlyRequiredFieldsBuild() {
        // defaults of optional fields are usable by the builders (a bad default would throw here)
        assertThat(TokenEvent.newBuilder().build().getText()).isNull();
        assertThat(MemoryQuery.newBuilder()
                        .setQueryId("q")
                        .setKey("k")
                        .build()
                        .getOptions()
                        .getSpans())
                .isEqualTo(1);
        assertThat(ControlCommand.newBuilder()
                        .setAction(ControlAction.FORGET)
                        .build()
                        .getIssuedAt()
                        .toEpochMilli())
                .isZero();
        assertThat(MemoryState.newBuilder().setBasisSize(8).setDim(4).build().getFormatVersion())
                .isEqualTo(1);
        assertThat(MemoryResponse.newBuilder()
                        .setQueryId("q")
                        .setKey("k")
                        .setFound(false)
                        .build()
                        .getSpans())
                .isEmpty();
    }

    @Test
    void theRealRegistryAcceptsEveryCurrentSchemaAndGivesStableIds() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(TestRegistry.url());
        for (Map.Entry<String, SpecificRecord> e : Samples.byTopic().entrySet()) {
            String subject = "selfcheck." + e.getKey() + "-value";
            int id = client.register(subject, e.getValue().getSchema());
            // a fresh client (no cache) gets the same id and an equal schema back
            HttpSchemaRegistryClient fresh = new HttpSchemaRegistryClient(TestRegistry.url());
            assertThat(fresh.register(subject, e.getValue().getSchema())).isEqualTo(id);
            assertThat(fresh.lookup(subject, e.getValue().getSchema())).contains(id);
            assertThat(fresh.getById(id)).isEqualTo(e.getValue().getSchema());
        }
    }
}
