package io.ltm.model;

/** How the coefficients B and the short-term vectors are stored in the encoded state. Compute is always float32. */
public enum CoefficientPrecision {
    FLOAT16,
    FLOAT32
}
