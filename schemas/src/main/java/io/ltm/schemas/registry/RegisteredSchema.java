package io.ltm.schemas.registry;

import org.apache.avro.Schema;

/** One version of a schema under a subject, as the registry knows it. */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {}
