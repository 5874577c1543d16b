import io.ltm.model.*;
import io.ltm.model.internal.*;
import java.util.*;
public class Kt {
    public static void main(String[] a) throws Exception {
        MemoryConfig cfg = MemoryConfig.builder().dim(384).build();
        Random rnd = new Random(1);
        Basis basis = Basis.of(cfg.basisSize(), cfg.widths());
        int n = basis.size(), s = cfg.widths().length, keys = n / s, d = 384;
        double[] centres = new double[keys]; for (int i = 0; i < keys; i++) centres[i] = basis.mu(i * s);
        double[] psi = basis.psi(centres);
        try (LongTermMemory engine = LongTermMemory.create(cfg, ai.djl.Device.cpu())) {
            for (int trial = 0; trial < 3; trial++) {
                MemoryState st = MemoryState.empty(cfg);
                for (int c = 0; c < 3 + trial * 5; c++) { int l = cfg.contractionLength();
                    st = engine.absorb(st, new TokenBatch(Rb.rv(rnd, l, 384), l, null, new TokenSource("b", 0, c, 0, null))); }
                float[] b = st.coefficientsRef();
                double[][] ref = keysAt(psi, b, n, keys, d, 1e-300);
                for (double rel : new double[]{1e-30, 1e-16, 1e-12, 1e-10, 1e-8}) {
                    double[][] k = keysAt(psi, b, n, keys, d, rel);
                    double worst = 0; long nz = 0;
                    for (int i = 0; i < keys; i++) for (int j = 0; j < d; j++) worst = Math.max(worst, Math.abs(k[i][j] - ref[i][j]));
                    for (int i = 0; i < keys; i++) { double mx = 0; for (int m = 0; m < n; m++) mx = Math.max(mx, psi[i*n+m]); for (int m = 0; m < n; m++) if (psi[i*n+m] >= rel * mx) nz++; }
                    System.out.printf("trial %d rel %.0e: max |dk| %.2e, nonzero per key %.1f%n", trial, rel, worst, nz / (double) keys);
                }
            }
        }
    }
    static double[][] keysAt(double[] psi, float[] b, int n, int keys, int d, double rel) {
        double[][] out = new double[keys][d];
        for (int i = 0; i < keys; i++) {
            double mx = 0; for (int m = 0; m < n; m++) mx = Math.max(mx, psi[i*n+m]);
            double[] x = out[i];
            for (int m = 0; m < n; m++) { double w = psi[i*n+m]; if (w < rel * mx) continue; for (int j = 0; j < d; j++) x[j] += w * b[m*d+j]; }
            double xx = 0; for (double v : x) xx += v*v; double inv = 1/Math.sqrt(xx); for (int j = 0; j < d; j++) x[j] *= inv;
        }
        return out;
    }
}
