package io.ltm.model.internal;

/** IEEE 754 binary16 conversion (round to nearest even), for Java 17 which lacks Float.floatToFloat16. */
public final class Half {
    /** Every binary16 value as a float: decoding a state's 196,608 coefficients is then one load each. */
    private static final float[] TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < TO_FLOAT.length; h++) TO_FLOAT[h] = convert((short) h);
    }

    private Half() {}

    /** |f| bits of the smallest normal binary16, 2^-14: below it a float encodes as a subnormal or zero. */
    private static final int NORMAL_FROM = 0x38800000;
    /** |f| bits of 2^16, from which every float encodes as infinity (or NaN); 65520 up to it rounds to infinity. */
    private static final int INFINITE_FROM = 0x47800000;
    /** (127 - 15) << 23: moves a float's exponent bias to binary16's. */
    private static final int REBIAS = 0x38000000;
    /**
     * The bits of 0.5f, whose ulp is binary16's subnormal step 2^-24: adding 0.5f to |f| < 2^-14 rounds |f| to that step
     * (to nearest, ties to even, as float addition does), and the sum's bits less these are the binary16 bits.
     */
    private static final int SUBNORMAL_MAGIC = 126 << 23;

    /**
     * Round to nearest even; a branch takes normal values, {@link #fromFloatBranchless} the rest. For values nearly all
     * normal, as token vectors: on them the branch-free form took 0.8 to 2.5 times as long as this branch, from one JVM
     * to another (docs/bench-2026-12-06-young), and this is the code they were encoded with before.
     */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int abs = bits & 0x7fffffff;
        if (abs >= NORMAL_FROM && abs < INFINITE_FROM) return (short) (((bits >>> 16) & 0x8000) | normal(abs));
        return fromFloatBranchless(f);
    }

    /**
     * {@link #fromFloat}'s bits, each case computed and one picked without a branch: for values that mix normal ones
     * with ones below 2^-14 in no order a branch predictor learns, as B does (3–61% of a base below 2^-14, one change of
     * side every 6 to 17 values), where {@link #fromFloat}'s branch mispredicts.
     */
    public static short fromFloatBranchless(float f) {
        int bits = Float.floatToRawIntBits(f);
        int abs = bits & 0x7fffffff;
        int subnormal = Float.floatToRawIntBits(Math.abs(f) + 0.5f) - SUBNORMAL_MAGIC;
        int infinite = abs > 0x7f800000 ? 0x7e00 : 0x7c00;
        int h = abs >= INFINITE_FROM ? infinite : abs < NORMAL_FROM ? subnormal : normal(abs);
        return (short) (((bits >>> 16) & 0x8000) | h);
    }

    /**
     * A normal binary16 (or infinity, from 65520 up) of |f|'s bits: rebias, then add just under half an ulp plus the
     * kept bit's parity (ties to even); a carry out of the mantissa moves into the exponent as it should.
     */
    private static int normal(int abs) {
        return (abs - REBIAS + 0xfff + ((abs >>> 13) & 1)) >>> 13;
    }

    public static float toFloat(short hs) {
        return TO_FLOAT[hs & 0xffff];
    }

    /** The conversion itself, used to fill the table. */
    static float convert(short hs) {
        int h = hs & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign);
            float v = mant / 1024f / 16384f;
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
