import java.util.*;
/**
 * The binary16 encoders compared before the choice (copies, so that each runs from its own class): floatAdd is c380e1f's
 * branch-free form, absAdd the one kept as Half.fromFloatBranchless, fp16lib the FP16 library's multiply form, intShift
 * one with an integer shift; main times them in one JVM and checks intShift on every float against OldHalf.
 */
public class HalfVariants {
    static final int NORMAL_FROM = 0x38800000, INFINITE_FROM = 0x47800000, REBIAS = 0x38000000, MAGIC = 126 << 23;
    static short floatAdd(float f) {
        int bits = Float.floatToRawIntBits(f); int abs = bits & 0x7fffffff;
        int normal = (abs - REBIAS + 0xfff + ((abs >>> 13) & 1)) >>> 13;
        int sub = Float.floatToRawIntBits(Float.intBitsToFloat(abs) + Float.intBitsToFloat(MAGIC)) - MAGIC;
        int inf = abs > 0x7f800000 ? 0x7e00 : 0x7c00;
        int h = abs >= INFINITE_FROM ? inf : abs < NORMAL_FROM ? sub : normal;
        return (short) (((bits >>> 16) & 0x8000) | h);
    }
    static short absAdd(float f) {
        int bits = Float.floatToRawIntBits(f); int abs = bits & 0x7fffffff;
        int normal = (abs - REBIAS + 0xfff + ((abs >>> 13) & 1)) >>> 13;
        int sub = Float.floatToRawIntBits(Math.abs(f) + 0.5f) - MAGIC;
        int inf = abs > 0x7f800000 ? 0x7e00 : 0x7c00;
        int h = abs >= INFINITE_FROM ? inf : abs < NORMAL_FROM ? sub : normal;
        return (short) (((bits >>> 16) & 0x8000) | h);
    }
    static short fp16lib(float f) {
        int w = Float.floatToRawIntBits(f);
        float base = (Math.abs(f) * 0x1.0p+112f) * 0x1.0p-110f;
        int shl1 = w + w;
        int bias = shl1 & 0xFF000000;
        if (Integer.compareUnsigned(bias, 0x71000000) < 0) bias = 0x71000000;
        base = Float.intBitsToFloat((bias >>> 1) + 0x07800000) + base;
        int bits = Float.floatToRawIntBits(base);
        int nonsign = ((bits >>> 13) & 0x7C00) + (bits & 0x0FFF);
        return (short) (((w >>> 16) & 0x8000) | (Integer.compareUnsigned(shl1, 0xFF000000) > 0 ? 0x7E00 : nonsign));
    }
    static short intShift(float f) {
        int bits = Float.floatToRawIntBits(f); int abs = bits & 0x7fffffff;
        int normal = (abs - REBIAS + 0xfff + ((abs >>> 13) & 1)) >>> 13;
        int s = Math.min(126 - (abs >>> 23), 31);
        int m = (abs & 0x7fffff) | 0x800000;
        int sub = (m + (1 << (s - 1)) - 1 + ((m >>> s) & 1)) >>> s;
        int inf = abs > 0x7f800000 ? 0x7e00 : 0x7c00;
        int h = abs >= INFINITE_FROM ? inf : abs < NORMAL_FROM ? sub : normal;
        return (short) (((bits >>> 16) & 0x8000) | h);
    }
    public static void main(String[] a) {
        int n = 512 * 384; SplittableRandom r = new SplittableRandom(1);
        for (double zf : new double[] {0, 0.3, 0.5}) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = r.nextDouble() < zf ? (float) (r.nextGaussian() * 1e-6) : (float) (r.nextGaussian() * 0.05);
            short[] h = new short[n]; long[][] t = new long[3][200]; long sink = 0;
            for (int rep = 0; rep < 600; rep++) {
                int which = rep % 3; long t0 = System.nanoTime();
                if (which == 0) for (int i = 0; i < n; i++) h[i] = OldHalf.fromFloat(v[i]);
                else if (which == 1) for (int i = 0; i < n; i++) h[i] = floatAdd(v[i]);
                else for (int i = 0; i < n; i++) h[i] = intShift(v[i]);
                t[which][rep / 3] = System.nanoTime() - t0; sink += h[rep];
            }
            for (long[] x : t) Arrays.sort(x);
            System.out.printf("small %.0f%%: branching %.0f us, float add %.0f us, int shift %.0f us (medians of 200) %d%n", zf * 100, t[0][100] / 1e3, t[1][100] / 1e3, t[2][100] / 1e3, sink);
        }
        // int shift against the branching version on every float
        long differ = 0;
        for (long i = Integer.MIN_VALUE; i <= Integer.MAX_VALUE; i++) { float f = Float.intBitsToFloat((int) i); if (intShift(f) != OldHalf.fromFloat(f)) differ++; }
        System.out.println("int shift differs on " + differ + " floats");
    }
}
