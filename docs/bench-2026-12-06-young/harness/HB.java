import io.ltm.model.internal.Half;
import io.ltm.model.CoefficientPrecision;
import io.ltm.topology.codec.MemoryStateCodec;
public class HB {
    public static void main(String[] a) {
        int n = 512 * 384; java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        float[] v = new float[n];
        double scale = Double.parseDouble(a[0]); double zeroFrac = Double.parseDouble(a[1]);
        for (int i = 0; i < n; i++) v[i] = r.nextDouble() < zeroFrac ? 0f : (float) (r.nextGaussian() * scale);
        short[] h = new short[n]; long sink = 0;
        for (int rep = 0; rep < 30; rep++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) h[i] = Half.fromFloat(v[i]);
            long t1 = System.nanoTime();
            var b = MemoryStateCodec.block(v, 512, 384, CoefficientPrecision.FLOAT16);
            long t2 = System.nanoTime();
            sink += h[rep] + b.getData().get(rep);
            if (rep % 10 == 9) System.out.printf("fromFloat loop %.0f us, block %.0f us%n", (t1 - t0) / 1e3, (t2 - t1) / 1e3);
        }
        System.out.println(sink);
    }
}
