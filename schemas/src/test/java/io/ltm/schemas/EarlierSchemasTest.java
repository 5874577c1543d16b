package io.ltm.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.schemas.serde.EarlierSchemas;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** Every earlier schema of a store record can be read with this release's: the stores written before stay readable. */
class EarlierSchemasTest {

    @Test
    void theMemoryStateSchemasBeforeThisOneResolveAgainstIt() {
        Schema now = MemoryState.getClassSchema();
        List<Schema> earlier = EarlierSchemas.of("MemoryState");
        assertThat(earlier).isNotEmpty();
        for (Schema e : earlier) {
            assertThat(SchemaNormalization.parsingFingerprint64(e))
                    .as("a schema this release no longer writes")
                    .isNotEqualTo(SchemaNormalization.parsingFingerprint64(now));
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(now, e)
                            .getType())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        }
        assertThat(EarlierSchemas.of("NoSuchRecord")).isEmpty();
    }
}
