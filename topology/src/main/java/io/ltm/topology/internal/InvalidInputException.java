package io.ltm.topology.internal;

/** A record that cannot be used as it is; it goes to the dead-letter topic with this message. */
public final class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }
}
