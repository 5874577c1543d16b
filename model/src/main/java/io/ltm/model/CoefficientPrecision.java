package io.ltm.model;

/** How the coefficients B and the short-term vectors are stored in the encoded state. Compute is always float32. */
public enum CoefficientPrecision {
    FLOAT16(2),
    FLOAT32(4);

    private final int bytes;

    CoefficientPrecision(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes of one stored value. */
    public int bytes() {
        return bytes;
    }
}
