package io.ltm.topology.internal;

import io.ltm.schemas.registry.SchemaRegistryUnavailableException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.StreamsException;

/** Tells failures of the infrastructure, which must be retried, from bad input, which goes to the dead-letter topic. */
public final class Failures {

    private Failures() {}

    /**
     * True when {@code e} says nothing about the record: the schema registry did not answer, Kafka Streams' own
     * machinery failed (state store, record collector, a task migrated away), or a Kafka client call failed in a
     * way Kafka calls retriable (a timeout, a leader moving). Such a record is retried, never dead-lettered:
     * exactly-once rolls back what its attempt wrote.
     */
    public static boolean isInfrastructure(Throwable e) {
        return e instanceof StreamsException
                || e instanceof RetriableException
                || SchemaRegistryUnavailableException.isCause(e);
    }
}
