import java.util.*;
/**
 * One encoder of HalfVariants (old = OldHalf, new = floatAdd, abs = absAdd, lib = fp16lib) per JVM over 512 x 384 values,
 * a share SMALL below 2^-14: what half-speed-earlier.txt holds; with a third argument it first checks the encoder on every
 * float.
 */
public class HalfVariantSpeed {
    public static void main(String[] a) {
        int n = 512 * 384; SplittableRandom r = new SplittableRandom(1); double zf = Double.parseDouble(a[1]);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble() < zf ? (float) (r.nextGaussian() * 1e-6) : (float) (r.nextGaussian() * 0.05);
        short[] h = new short[n]; long[] t = new long[200]; long sink = 0; boolean old = a[0].equals("old");
        for (int rep = 0; rep < 400; rep++) {
            long t0 = System.nanoTime();
            if (old) for (int i = 0; i < n; i++) h[i] = OldHalf.fromFloat(v[i]);
            else if (a[0].equals("new")) for (int i = 0; i < n; i++) h[i] = HalfVariants.floatAdd(v[i]);
            else if (a[0].equals("abs")) for (int i = 0; i < n; i++) h[i] = HalfVariants.absAdd(v[i]);
            else for (int i = 0; i < n; i++) h[i] = HalfVariants.fp16lib(v[i]);
            if (rep >= 200) t[rep - 200] = System.nanoTime() - t0; sink += h[rep];
        }
        Arrays.sort(t);
        if (a.length > 2) { long differ = 0; for (long i = Integer.MIN_VALUE; i <= Integer.MAX_VALUE; i++) { float f = Float.intBitsToFloat((int) i); short x = a[0].equals("abs") ? HalfVariants.absAdd(f) : HalfVariants.fp16lib(f); if (x != OldHalf.fromFloat(f)) differ++; } System.out.println("differ " + differ); }
        System.out.printf("%s small %.0f%%: median %.0f us min %.0f us %d%n", a[0], zf * 100, t[100] / 1e3, t[0] / 1e3, sink);
    }
}
