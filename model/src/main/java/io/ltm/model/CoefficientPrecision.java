package io.ltm.model;

/** How the coefficients B and the short-term vectors are stored in the encoded state. Compute is always float32. */
public enum CoefficientPrecision {
    FLOAT16(2, 0x1p-11),
    FLOAT32(4, 0x1p-24);

    private final int bytes;
    private final double unitRoundoff;

    CoefficientPrecision(int bytes, double unitRoundoff) {
        this.bytes = bytes;
        this.unitRoundoff = unitRoundoff;
    }

    /**
     * The largest relative error of rounding one value to this format. A basis function whose weight over a chunk stays
     * below this fraction of its peak is left out of the chunk's contribution to B (and of its stored delta): what it
     * would add is below what storing the larger values already rounds away.
     */
    public double unitRoundoff() {
        return unitRoundoff;
    }

    /** Bytes of one stored value. */
    public int bytes() {
        return bytes;
    }
}
