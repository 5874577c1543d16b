package io.ltm.topology.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as plain JSON for scripts: unions as their value (not Avro's {"type": value} JSON encoding),
 * timestamps as ISO-8601 strings, bytes as base64.
 */
final class AvroJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {}

    static String write(IndexedRecord record) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static JsonNode node(Object v) {
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof IndexedRecord r) {
            ObjectNode o = NODES.objectNode();
            for (Schema.Field f : r.getSchema().getFields()) {
                o.set(f.name(), node(r.get(f.pos())));
            }
            return o;
        }
        if (v instanceof Collection<?> c) {
            ArrayNode a = NODES.arrayNode();
            c.forEach(x -> a.add(node(x)));
            return a;
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            m.forEach((k, x) -> o.set(String.valueOf(k), node(x)));
            return o;
        }
        if (v instanceof ByteBuffer bb) {
            ByteBuffer d = bb.duplicate();
            byte[] bytes = new byte[d.remaining()];
            d.get(bytes);
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (v instanceof Number || v instanceof Boolean) {
            return MAPPER.valueToTree(v);
        }
        return NODES.textNode(v.toString()); // strings, enums, Instants (ISO-8601)
    }
}
