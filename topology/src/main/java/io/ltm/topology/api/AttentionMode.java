package io.ltm.topology.api;

import java.util.Arrays;
import java.util.List;

/** {@value LtmConfig#ATTENTION_MODE}: where queries are answered. */
public enum AttentionMode {
    /** By the memory node itself, on the CPU. */
    INLINE("inline"),
    /** By the attention worker (batched across keys, GPU when present); the node sends it the state. */
    WORKER("worker");

    private final String configValue;

    AttentionMode(String configValue) {
        this.configValue = configValue;
    }

    /** The value as written in a configuration. */
    public String configValue() {
        return configValue;
    }

    /** The mode a configuration value names; IllegalArgumentException for any other. */
    public static AttentionMode of(String configValue) {
        for (AttentionMode m : values()) {
            if (m.configValue.equals(configValue)) return m;
        }
        throw new IllegalArgumentException("unknown attention mode '" + configValue + "': one of " + configValues());
    }

    static List<String> configValues() {
        return Arrays.stream(values()).map(AttentionMode::configValue).toList();
    }
}
