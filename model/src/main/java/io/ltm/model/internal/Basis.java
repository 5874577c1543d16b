package io.ltm.model.internal;

import java.util.Arrays;

/**
 * Gaussian RBF basis exactly as the official {@code add_gaussian_basis_functions}: N is rounded up to a multiple of
 * S = widths.length; N/S centres linspace(0,1,N/S); basis n = i·S + s has centre i/(N/S-1) and width widths[s]
 * (centre-major, width-minor); ψ_n(t) = N(t; μ_n, σ_n²) is the normalised density.
 */
public final class Basis {
    public static final double SQRT2PI = Math.sqrt(2 * Math.PI);
    private final int size;
    private final double[] widths;
    private final double[] mu;
    private final double[] sigma;

    private Basis(int n, double[] widths) {
        int s = widths.length;
        if (n % s != 0) n += s - n % s;
        this.size = n;
        this.widths = widths.clone();
        int c = n / s;
        mu = new double[n];
        sigma = new double[n];
        for (int i = 0; i < c; i++) {
            double centre = c == 1 ? 0.0 : linspace01(i, c);
            for (int k = 0; k < s; k++) {
                mu[i * s + k] = centre;
                sigma[i * s + k] = widths[k];
            }
        }
    }

    /** numpy.linspace(0,1,c)[i] bit-exactly (start + i*step, last point exactly 1). */
    private static double linspace01(int i, int c) {
        if (i == c - 1) return 1.0;
        double step = 1.0 / (c - 1);
        return i * step;
    }

    public static Basis of(int n, double... widths) {
        if (widths == null || widths.length == 0) throw new IllegalArgumentException("no widths");
        if (n < 1) throw new IllegalArgumentException("n < 1");
        return new Basis(n, widths);
    }

    public int size() {
        return size;
    }

    public double[] widths() {
        return widths.clone();
    }

    public double[] mu() {
        return mu.clone();
    }

    public double[] sigma() {
        return sigma.clone();
    }

    public double mu(int n) {
        return mu[n];
    }

    public double sigma(int n) {
        return sigma[n];
    }

    /** ψ(t) for every t: row-major [T, N]. Host side, float64 (used for one-time precomputes and tests). */
    public double[] psi(double[] t) {
        double[] out = new double[t.length * size];
        for (int j = 0; j < t.length; j++) {
            for (int n = 0; n < size; n++) {
                out[j * size + n] = psi(n, t[j]);
            }
        }
        return out;
    }

    /** ψ_n(t), the n-th Gaussian's density at t, float64. */
    public double psi(int n, double t) {
        double z = (t - mu[n]) / sigma[n];
        return Math.exp(-0.5 * z * z) / (sigma[n] * SQRT2PI);
    }

    /** r_n = E_{N(m, s2)}[ψ_n] = N(m; μ_n, σ_n² + s2), row-major [Q, N]. Host side, float64. */
    public double[] expectedPsi(double[] m, double[] s2) {
        double[] out = new double[m.length * size];
        for (int q = 0; q < m.length; q++) {
            for (int n = 0; n < size; n++) {
                double v = sigma[n] * sigma[n] + s2[q];
                double dd = m[q] - mu[n];
                out[q * size + n] = Math.exp(-0.5 * dd * dd / v) / Math.sqrt(2 * Math.PI * v);
            }
        }
        return out;
    }

    /**
     * ∂r/∂θ with θ = [μ/σ², −1/(2σ²)] (official ContinuousSoftmaxFunction.backward): E[φψᵀ] − E[φ]E[ψ]ᵀ, φ = (t, t²).
     * Row-major [Q, 2, N].
     */
    public double[] expectedPsiJacobian(double[] m, double[] s2) {
        double[] r = expectedPsi(m, s2);
        double[] out = new double[m.length * 2 * size];
        for (int q = 0; q < m.length; q++) {
            for (int n = 0; n < size; n++) {
                double sn2 = sigma[n] * sigma[n];
                double sv = r[q * size + n];
                double mt = (mu[n] * s2[q] + m[q] * sn2) / (sn2 + s2[q]);
                double st = sn2 * s2[q] / (sn2 + s2[q]);
                out[(q * 2) * size + n] = sv * mt - m[q] * sv;
                out[(q * 2 + 1) * size + n] = sv * (mt * mt + st) - (m[q] * m[q] + s2[q]) * sv;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Basis b && b.size == size && Arrays.equals(b.widths, widths);
    }

    @Override
    public int hashCode() {
        return 31 * size + Arrays.hashCode(widths);
    }
}
