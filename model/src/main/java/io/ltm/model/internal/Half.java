package io.ltm.model.internal;

/** IEEE 754 binary16 conversion (round to nearest even), for Java 17 which lacks Float.floatToFloat16. */
public final class Half {
    /** Every binary16 value as a float: decoding a state's 196,608 coefficients is then one load each. */
    private static final float[] TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < TO_FLOAT.length; h++) TO_FLOAT[h] = convert((short) h);
    }

    private Half() {}

    /** |f| bits from the smallest normal binary16 (2^-14) up to, not including, 65520 (which rounds to infinity). */
    private static final int NORMAL_FROM = 0x38800000, NORMAL_TO = 0x477ff000;
    /** (127 - 15) << 23: moves a float's exponent bias to binary16's. */
    private static final int REBIAS = 0x38000000;

    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= NORMAL_FROM && abs < NORMAL_TO) {
            // the common case, branch-free: rebias, add just under half an ulp plus the kept bit's parity (ties to
            // even), and a carry out of the mantissa moves into the exponent as it should
            int r = abs - REBIAS;
            r += 0xfff + ((r >>> 13) & 1);
            return (short) (sign | (r >>> 13));
        }
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        int e = exp - 127 + 15;
        if (e >= 0x1f) return (short) (sign | 0x7c00);
        if (e <= 0) {
            if (e < -10) return (short) sign;
            mant |= 0x800000;
            int shift = 14 - e;
            int h = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int half = 1 << (shift - 1);
            if (rem > half || (rem == half && (h & 1) != 0)) h++;
            return (short) (sign | h);
        }
        int h = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) h++;
        return (short) (sign | h);
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
