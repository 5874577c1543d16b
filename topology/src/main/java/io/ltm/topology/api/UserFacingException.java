package io.ltm.topology.api;

/**
 * A problem the user can fix (cluster unreachable, topics not co-partitioned, a missing file): the command line
 * prints its message as one line, without a stack trace, and exits non-zero.
 */
public final class UserFacingException extends RuntimeException {

    public UserFacingException(String message) {
        super(message);
    }

    public UserFacingException(String message, Throwable cause) {
        super(message, cause);
    }
}
