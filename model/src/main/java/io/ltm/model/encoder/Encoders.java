package io.ltm.model.encoder;

import java.util.Locale;

/** Creates encoders by configuration name. */
public final class Encoders {
    private Encoders() {}

    /**
     * {@code "minilm"} / {@code "minilm-cpu"}: the {@link MiniLmEncoder} on the CPU ({@code dim} must be 384, or 0 /
     * negative for "its own"); {@code "minilm-gpu"} / {@code "minilm-auto"}: the same on the GPU / on the GPU when
     * present; {@code "hashing"}: a {@link HashingEncoder} of {@code dim} dimensions (384 when {@code dim <= 0}).
     */
    public static TextEncoder byName(String name, int dim) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "minilm", "minilm-cpu" -> miniLm(EncoderDevice.CPU, dim);
            case "minilm-gpu" -> miniLm(EncoderDevice.GPU, dim);
            case "minilm-auto" -> miniLm(EncoderDevice.AUTO, dim);
            case "hashing" -> new HashingEncoder(dim > 0 ? dim : MiniLmEncoder.DIMENSION);
            default -> throw new IllegalArgumentException("unknown encoder '" + name + "': expected minilm or hashing");
        };
    }

    private static MiniLmEncoder miniLm(EncoderDevice device, int dim) {
        if (dim > 0 && dim != MiniLmEncoder.DIMENSION) {
            throw new IllegalArgumentException(
                    "the minilm encoder has " + MiniLmEncoder.DIMENSION + " dimensions, not " + dim);
        }
        return MiniLmEncoder.create(EncoderOptions.defaults().withDevice(device));
    }
}
