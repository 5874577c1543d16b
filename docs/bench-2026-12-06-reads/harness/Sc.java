import java.util.*;
public class Sc {
    static int d=384, c=256;
    static float[][] cur(float[][] kt, float[][] qv) {
        int g = qv.length; float[][] s = new float[g][c]; int j = 0;
        for (; j + 3 < d; j += 4) {
            float[] r0 = kt[j], r1 = kt[j + 1], r2 = kt[j + 2], r3 = kt[j + 3];
            for (int x = 0; x < g; x++) {
                float[] q = qv[x], sx = s[x];
                float w0 = q[j], w1 = q[j + 1], w2 = q[j + 2], w3 = q[j + 3];
                for (int i = 0; i < c; i++) sx[i] += (w0 * r0[i] + w1 * r1[i]) + (w2 * r2[i] + w3 * r3[i]);
            }
        }
        return s;
    }
    static float[][] eight(float[][] kt, float[][] qv) {
        int g = qv.length; float[][] s = new float[g][c]; int j = 0;
        for (; j + 7 < d; j += 8) {
            float[] r0 = kt[j], r1 = kt[j + 1], r2 = kt[j + 2], r3 = kt[j + 3];
            float[] r4 = kt[j+4], r5 = kt[j + 5], r6 = kt[j + 6], r7 = kt[j + 7];
            for (int x = 0; x < g; x++) {
                float[] q = qv[x], sx = s[x];
                float w0 = q[j], w1 = q[j + 1], w2 = q[j + 2], w3 = q[j + 3];
                float w4 = q[j+4], w5 = q[j + 5], w6 = q[j + 6], w7 = q[j + 7];
                for (int i = 0; i < c; i++) sx[i] += ((w0 * r0[i] + w1 * r1[i]) + (w2 * r2[i] + w3 * r3[i])) + ((w4 * r4[i] + w5 * r5[i]) + (w6 * r6[i] + w7 * r7[i]));
            }
        }
        return s;
    }
    static float[][] fma(float[][] kt, float[][] qv) {
        int g = qv.length; float[][] s = new float[g][c]; int j = 0;
        for (; j + 3 < d; j += 4) {
            float[] r0 = kt[j], r1 = kt[j + 1], r2 = kt[j + 2], r3 = kt[j + 3];
            for (int x = 0; x < g; x++) {
                float[] q = qv[x], sx = s[x];
                float w0 = q[j], w1 = q[j + 1], w2 = q[j + 2], w3 = q[j + 3];
                for (int i = 0; i < c; i++) sx[i] = Math.fma(w3, r3[i], Math.fma(w2, r2[i], Math.fma(w1, r1[i], Math.fma(w0, r0[i], sx[i]))));
            }
        }
        return s;
    }
    static float sinkF;
    static float[][] ahead(float[][] kt, float[][] qv, int dist) {
        int g = qv.length; float[][] s = new float[g][c]; int j = 0; float touch = 0;
        for (; j + 3 < d; j += 4) {
            float[] r0 = kt[j], r1 = kt[j + 1], r2 = kt[j + 2], r3 = kt[j + 3];
            if (j + dist + 3 < d) { for (int t = 0; t < 4; t++) { float[] f = kt[j + dist + t]; for (int i = 0; i < c; i += 16) touch += f[i]; } }
            for (int x = 0; x < g; x++) {
                float[] q = qv[x], sx = s[x];
                float w0 = q[j], w1 = q[j + 1], w2 = q[j + 2], w3 = q[j + 3];
                for (int i = 0; i < c; i++) sx[i] += (w0 * r0[i] + w1 * r1[i]) + (w2 * r2[i] + w3 * r3[i]);
            }
        }
        sinkF += touch;
        return s;
    }
    public static void main(String[] a) {
        Random r = new Random(1);
        int g = Integer.parseInt(a[0]); int mems = Integer.parseInt(a[1]);
        float[][][] kts = new float[mems][d][c];
        for (float[][] kt: kts) for (float[] row: kt) for (int i=0;i<c;i++) row[i]=(float)r.nextGaussian();
        float[][] q = new float[g][d]; for (float[] x: q) for (int i=0;i<d;i++) x[i]=(float)r.nextGaussian();
        for (int rep=0; rep<8; rep++) {
            double sink=0;
            long t0=System.nanoTime(); int n=0;
            while (System.nanoTime()-t0 < 5e8) { for (float[][] kt: kts) sink += cur(kt,q)[0][3]; n++; }
            double tc = (System.nanoTime()-t0)/1e3/n/mems/g;
            t0=System.nanoTime(); n=0;
            while (System.nanoTime()-t0 < 5e8) { for (float[][] kt: kts) sink += eight(kt,q)[0][3]; n++; }
            double te = (System.nanoTime()-t0)/1e3/n/mems/g;
            t0=System.nanoTime(); n=0;
            while (System.nanoTime()-t0 < 5e8) { for (float[][] kt: kts) sink += fma(kt,q)[0][3]; n++; }
            double tf = (System.nanoTime()-t0)/1e3/n/mems/g;
            double[] ta = new double[3]; int[] dists = {8, 16, 32};
            for (int di = 0; di < 3; di++) { t0=System.nanoTime(); n=0;
              while (System.nanoTime()-t0 < 5e8) { for (float[][] kt: kts) sink += ahead(kt,q,dists[di])[0][3]; n++; }
              ta[di] = (System.nanoTime()-t0)/1e3/n/mems/g; }
            System.out.printf("g=%d mems=%d cur %.2f eight %.2f fma %.2f ahead8 %.2f ahead16 %.2f ahead32 %.2f us/query %s%n", g, mems, tc, te, tf, ta[0], ta[1], ta[2], sink>0?"":" ");
        }
    }
}
