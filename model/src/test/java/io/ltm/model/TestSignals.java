package io.ltm.model;

import io.ltm.model.internal.Basis;
import java.util.Random;

/** Test helpers: smooth random signals and host-side reconstruction X̄(t) = Bᵀψ(t). */
final class TestSignals {
    private TestSignals() {}

    /** [T, e] row-major smooth signal: sum of nFreq sinusoids per dimension. */
    static float[] smooth(double[] t, int e, int nFreq, Random rng) {
        double[][] a = new double[nFreq][e], ph = new double[nFreq][e];
        for (int f = 0; f < nFreq; f++)
            for (int j = 0; j < e; j++) {
                a[f][j] = rng.nextGaussian() / (f + 1);
                ph[f][j] = rng.nextDouble() * 2 * Math.PI;
            }
        float[] x = new float[t.length * e];
        for (int i = 0; i < t.length; i++)
            for (int j = 0; j < e; j++) {
                double v = 0;
                for (int f = 0; f < nFreq; f++) v += a[f][j] * Math.sin(2 * Math.PI * (f + 1) * t[i] + ph[f][j]);
                x[i * e + j] = (float) v;
            }
        return x;
    }

    static double[] grid(double a, double b, int n) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = a + (b - a) * i / (n - 1);
        return t;
    }

    static double[] midpoints(int l) {
        double[] t = new double[l];
        for (int j = 0; j < l; j++) t[j] = (j + 0.5) / l;
        return t;
    }

    static double[] reconstruct(float[] b, Basis basis, int e, double[] t) {
        int n = basis.size();
        double[] psi = basis.psi(t);
        double[] x = new double[t.length * e];
        for (int i = 0; i < t.length; i++)
            for (int k = 0; k < n; k++) {
                double p = psi[i * n + k];
                if (p == 0) continue;
                for (int j = 0; j < e; j++) x[i * e + j] += p * b[k * e + j];
            }
        return x;
    }

    static double rel(double[] a, double[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
