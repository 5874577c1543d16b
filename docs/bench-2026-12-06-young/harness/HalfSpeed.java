import io.ltm.model.internal.Half;
import java.util.*;

/**
 * One binary16 encoder over 512 x 384 values, a share SMALL of them below 2^-14 (at random places), the rest gaussian x
 * 0.05: WHICH = old (4bf025f's branching one, OldHalf), fromFloat or branchless (this Half); median and min of 200 after
 * 200 of warm-up. One encoder per JVM, so that no other shapes its profile.
 */
public class HalfSpeed {
    public static void main(String[] a) {
        int n = 512 * 384; SplittableRandom r = new SplittableRandom(1); double small = Double.parseDouble(a[1]);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble() < small ? (float) (r.nextGaussian() * 1e-6) : (float) (r.nextGaussian() * 0.05);
        short[] h = new short[n]; long[] t = new long[200]; long sink = 0;
        for (int rep = 0; rep < 400; rep++) {
            long t0 = System.nanoTime();
            switch (a[0]) {
                case "old" -> { for (int i = 0; i < n; i++) h[i] = OldHalf.fromFloat(v[i]); }
                case "fromFloat" -> { for (int i = 0; i < n; i++) h[i] = Half.fromFloat(v[i]); }
                default -> { for (int i = 0; i < n; i++) h[i] = Half.fromFloatBranchless(v[i]); }
            }
            if (rep >= 200) t[rep - 200] = System.nanoTime() - t0;
            sink += h[rep];
        }
        Arrays.sort(t);
        System.out.printf("%s, %.0f%% small: median %.0f us, min %.0f us (%d)%n", a[0], small * 100, t[100] / 1e3, t[0] / 1e3, sink);
    }
}
