package io.ltm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;

/** Variants of a current schema, as a later release might write them. */
public final class Evolution {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Evolution() {}

    /** Adds a top-level field given as JSON, e.g. {@code {"name":"x","type":["null","string"],"default":null}}. */
    public static Schema withField(Schema schema, String fieldJson) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(schema.toString());
            ((ArrayNode) root.get("fields")).add(JSON.readTree(fieldJson));
            return new Schema.Parser().parse(root.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces the type of a top-level field (and drops its default). */
    public static Schema withFieldType(Schema schema, String field, String typeJson) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(schema.toString());
            for (JsonNode f : root.get("fields")) {
                if (f.get("name").asText().equals(field)) {
                    ((ObjectNode) f).set("type", JSON.readTree(typeJson));
                    ((ObjectNode) f).remove("default");
                }
            }
            return new Schema.Parser().parse(root.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Removes a top-level field. */
    public static Schema withoutField(Schema schema, String field) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(schema.toString());
            ArrayNode fields = (ArrayNode) root.get("fields");
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).get("name").asText().equals(field)) fields.remove(i--);
            }
            return new Schema.Parser().parse(root.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
