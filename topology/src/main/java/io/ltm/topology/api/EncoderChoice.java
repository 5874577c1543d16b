package io.ltm.topology.api;

import io.ltm.model.encoder.Encoders;
import io.ltm.model.encoder.TextEncoder;
import java.util.Arrays;
import java.util.List;

/** {@value LtmConfig#ENCODER}: the text encoder the node and the encode worker load. */
public enum EncoderChoice {
    /** MiniLM on the CPU. */
    MINILM("minilm"),
    MINILM_GPU("minilm-gpu"),
    /** MiniLM on the GPU when there is one, else the CPU. */
    MINILM_AUTO("minilm-auto"),
    /** The hashing encoder: no model, for tests and small machines. */
    HASHING("hashing"),
    /** No encoder: the node takes vectors only, text goes through the encode worker. */
    NONE("none");

    private final String configValue;

    EncoderChoice(String configValue) {
        this.configValue = configValue;
    }

    /** The value as written in a configuration. */
    public String configValue() {
        return configValue;
    }

    /** The choice a configuration value names; IllegalArgumentException for any other. */
    public static EncoderChoice of(String configValue) {
        for (EncoderChoice e : values()) {
            if (e.configValue.equals(configValue)) return e;
        }
        throw new IllegalArgumentException("unknown encoder '" + configValue + "': one of " + configValues());
    }

    /** A new encoder of vectors of {@code dim} dimensions, or null for {@link #NONE}. */
    public TextEncoder create(int dim) {
        return this == NONE ? null : Encoders.byName(configValue, dim);
    }

    static List<String> configValues() {
        return Arrays.stream(values()).map(EncoderChoice::configValue).toList();
    }
}
