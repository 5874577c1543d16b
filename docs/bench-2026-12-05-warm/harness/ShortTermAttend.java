import io.ltm.model.internal.ShortTermMemory;
public class ShortTermAttend {
    public static void main(String[] a) {
        int d = 384, n = Integer.parseInt(a[0]);
        java.util.Random r = new java.util.Random(1);
        float[] x = new float[n * d]; for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] q = new float[d]; for (int i = 0; i < d; i++) q[i] = (float) r.nextGaussian();
        int mems = 50; float[][] xs = new float[mems][]; for (int m = 0; m < mems; m++) xs[m] = x.clone();
        double s = 0;
        for (int rep = 0; rep < 6; rep++) {
            int it = 5000;
            long t0 = System.nanoTime(); for (int i = 0; i < it; i++) s += ShortTermMemory.attend(x, n, d, q, 0.1, true, false).weights()[0];
            long t1 = System.nanoTime(); for (int i = 0; i < it; i++) s += ShortTermMemory.attend(xs[i % mems], n, d, q, 0.1, true, false).weights()[0];
            long t2 = System.nanoTime();
            System.out.printf("n=%d hot %.1f us, 50 buffers %.1f us%n", n, (t1 - t0) / 1e3 / it, (t2 - t1) / 1e3 / it);
        }
        System.out.println(s);
    }
}
