package io.ltm.schemas.registry;

/**
 * The registry did not answer usefully: after all retries an I/O error or timeout ({@link #status()} 0), or
 * HTTP 5xx, 408 or 429; or, when the deserializer fetches a writer schema, a refusal such as 401 or 403. Unlike a
 * 404, this says nothing about the data: callers must retry the record later, never treat it as bad input.
 */
public final class SchemaRegistryUnavailableException extends SchemaRegistryException {

    public SchemaRegistryUnavailableException(String message, int status, int errorCode, Throwable cause) {
        super(message, status, errorCode, cause);
    }

    /** Whether {@code t} or one of its causes is this exception: a failure to retry, not bad data. */
    public static boolean isCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SchemaRegistryUnavailableException) {
                return true;
            }
        }
        return false;
    }
}
