package io.ltm.schemas.registry;

/** Compatibility levels of the Confluent Schema Registry API (same names, same meaning). */
public enum Compatibility {
    NONE,
    BACKWARD,
    BACKWARD_TRANSITIVE,
    FORWARD,
    FORWARD_TRANSITIVE,
    FULL,
    FULL_TRANSITIVE;

    /** The level LTM Streams uses for every subject: a new schema must read data written with the previous one. */
    public static final Compatibility LTM_DEFAULT = BACKWARD;
}
