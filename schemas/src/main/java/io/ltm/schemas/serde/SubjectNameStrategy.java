package io.ltm.schemas.serde;

import org.apache.avro.Schema;

/** How a serializer names the registry subject of a record (same strategies as Confluent's serializers). */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value} (default): one schema (and its evolution) per topic. */
    TOPIC_NAME,
    /** The record's full name: one schema per record type, shared by all topics. */
    RECORD_NAME,
    /** {@code <topic>-<record full name>}: several record types per topic. */
    TOPIC_RECORD_NAME;

    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
            case RECORD_NAME -> schema.getFullName();
            case TOPIC_RECORD_NAME -> topic + "-" + schema.getFullName();
        };
    }

    /**
     * Parses a configuration value: Confluent's class names
     * ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy} ...), their simple names, or the enum names.
     */
    public static SubjectNameStrategy parse(Object value) {
        if (value == null) return TOPIC_NAME;
        String s = value instanceof Class<?> c
                ? c.getName()
                : String.valueOf(value).trim();
        String simple = s.substring(s.lastIndexOf('.') + 1);
        return switch (simple) {
            case "TopicNameStrategy", "TOPIC_NAME" -> TOPIC_NAME;
            case "RecordNameStrategy", "RECORD_NAME" -> RECORD_NAME;
            case "TopicRecordNameStrategy", "TOPIC_RECORD_NAME" -> TOPIC_RECORD_NAME;
            default ->
                throw new IllegalArgumentException("unknown subject name strategy '" + s
                        + "' (TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy)");
        };
    }
}
