package io.ltm.model.encoder;

/** An encoder could not be created or could not encode (missing model resource, native failure, ...). */
public class EncoderException extends RuntimeException {
    public EncoderException(String message) {
        super(message);
    }

    public EncoderException(String message, Throwable cause) {
        super(message, cause);
    }
}
