package io.ltm.model;

/**
 * ZERO_SHOT (default): no weights needed; values = B, keys derived from B (the reconstructed signal at each basis centre
 * with {@link MemoryConfig#cosineKeys()}, the default; raw rows of B otherwise). TRAINED: the paper's affine head with
 * given weights.
 */
public enum AttentionHeadKind {
    ZERO_SHOT,
    TRAINED
}
