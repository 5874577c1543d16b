package io.ltm.model.internal;
import ai.djl.ndarray.*;
import java.util.*;
public class Lr {
    public static void main(String[] x) throws Exception {
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            DeviceMath math = new DeviceMath(m, Basis.of(512, new double[]{0.005, 0.01}), 512, 512, 0.5, false);
            HostZeroShot h = new HostZeroShot(math, 384, true, 0.5, 1e-4, 128);
            var f = HostZeroShot.class.getDeclaredField("profile"); f.setAccessible(true); BandedRows p = (BandedRows) f.get(h);
            var f2 = HostZeroShot.class.getDeclaredField("sticky"); f2.setAccessible(true); BandedRows s = (BandedRows) f2.get(h);
            System.out.println("profile rows " + p.rows() + " cols " + p.cols() + " stored " + p.stored() + "; sticky cols " + s.cols() + " stored " + s.stored());
            Random r = new Random(1); float[] a = new float[256]; double sum = 0; double[] e = new double[256];
            for (int i = 0; i < 256; i++) { e[i] = Math.exp(2 * (r.nextDouble() * 0.6 - 0.3)); sum += e[i]; }
            for (int i = 0; i < 256; i++) a[i] = (float) (e[i] / sum / 2);
            float[] o1 = new float[p.cols()], o2 = new float[s.cols()];
            for (int rep = 0; rep < 6; rep++) {
                long t0 = System.nanoTime(); int n = 0; while (System.nanoTime() - t0 < 3e8) { p.leftMultiply(a, o1); n++; } double tp = (System.nanoTime() - t0) / 1e3 / n;
                t0 = System.nanoTime(); n = 0; while (System.nanoTime() - t0 < 3e8) { s.leftMultiply(a, o2); n++; } double ts = (System.nanoTime() - t0) / 1e3 / n;
                System.out.printf("profile %.2f sticky %.2f us%n", tp, ts);
            }
        }
    }
}
