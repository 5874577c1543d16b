package io.ltm.model.encoder;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where the {@link MiniLmEncoder} runs the model. */
public enum EncoderDevice {
    /** The CPU (the default). */
    CPU,
    /** The GPU; the encoder fails to load if ONNX Runtime has no CUDA provider. */
    GPU,
    /** The GPU when ONNX Runtime reports one, else the CPU. */
    AUTO;

    /** The value as written on a command line or in an encoder name ({@code cpu}, {@code gpu}, {@code auto}). */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The device {@code value} names, in any case; IllegalArgumentException naming it and the allowed values. */
    public static EncoderDevice parse(String value) {
        String v = value == null ? "" : value.strip();
        for (EncoderDevice d : values()) {
            if (d.configValue().equalsIgnoreCase(v)) return d;
        }
        throw new IllegalArgumentException("unknown encoder device '" + value + "': one of "
                + Arrays.stream(values()).map(EncoderDevice::configValue).collect(Collectors.joining(", ")));
    }
}
