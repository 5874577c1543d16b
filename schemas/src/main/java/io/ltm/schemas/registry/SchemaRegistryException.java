package io.ltm.schemas.registry;

/**
 * A schema registry call failed. {@link #status()} is the HTTP status (0 for I/O failures after all retries),
 * {@link #errorCode()} the registry's {@code error_code} (0 when the answer had none).
 */
public class SchemaRegistryException extends RuntimeException {
    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode) {
        this(message, status, errorCode, null);
    }

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    public int errorCode() {
        return errorCode;
    }

    /** 404: unknown subject, version or schema id. */
    public boolean isNotFound() {
        return status == 404;
    }

    /** 409: the schema is incompatible with the subject's earlier versions. */
    public boolean isIncompatible() {
        return status == 409;
    }
}
