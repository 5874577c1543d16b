package io.ltm.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The schemas earlier releases wrote a record type with, where records written without a registry (the memory node's
 * own state stores) must stay readable: resources {@code io/ltm/schemas/earlier/<Name>.<n>.avsc}, n = 1, 2, ... in the
 * order they were replaced, each the whole schema as that release's generated class held it. A change of such a
 * record's schema adds the schema it replaces here.
 */
public final class EarlierSchemas {

    private static final String FOLDER = "/io/ltm/schemas/earlier/";

    private EarlierSchemas() {}

    /** The earlier schemas of the record type named {@code name} (its simple name), oldest first; empty for none. */
    public static List<Schema> of(String name) {
        List<Schema> out = new ArrayList<>();
        for (int n = 1; ; n++) {
            try (InputStream in = EarlierSchemas.class.getResourceAsStream(FOLDER + name + "." + n + ".avsc")) {
                if (in == null) return out;
                out.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
