package io.ltm.model;

/** ZERO_SHOT: keys = values = B, no weights needed (default). TRAINED: the paper's affine head with given weights. */
public enum AttentionHeadKind { ZERO_SHOT, TRAINED }
