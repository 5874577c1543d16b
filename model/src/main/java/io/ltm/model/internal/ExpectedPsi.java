package io.ltm.model.internal;

/**
 * r_n = E_{N(m, s2)}[ψ_n] = N(m; μ_n, σ_n² + s2) on the host, as {@link DeviceMath#expectedPsi} computes it (exactly
 * 0 where the exponent x_n = −(m − μ_n)²/(2(σ_n² + s2)) is at most {@link #CUTOFF_EXPONENT}), without an exp per
 * basis function: the centres of one width are equally spaced (μ_i = i·h), so along i the Gaussian is a geometric
 * recurrence, g_{i±1} = g_i·ρ, ρ ← ρ·exp(−h²/v), started at the centre nearest to m with three exps per width. In
 * float64 the recurrence's relative error after k steps is about k·1e-16.
 */
public final class ExpectedPsi {
    /**
     * Terms with x_n ≤ −17 are exactly 0: e^−17 ≈ 4.1e-8 of the largest term (whose exponent is about 0, as m lies
     * within half a spacing of a centre; the other widths' peaks are at most √(v_max/v_min) larger), below float32's
     * resolution of the sums they enter (Bᵀr: the content under a span, a context), and the rows of B under them are
     * not read: a cutoff where float32 turns denormal (−69) keeps about twice the rows of a narrow span.
     */
    public static final double CUTOFF_EXPONENT = -17;

    private static final double TWO_PI = 2 * Math.PI;
    private final int n;
    private final int widths;
    private final int centres;
    private final double h;
    private final double[] centre; // μ_i
    private final double[] var; // σ_s²

    public ExpectedPsi(Basis basis) {
        this.n = basis.size();
        this.widths = basis.widths().length;
        this.centres = n / widths;
        this.centre = new double[centres];
        for (int i = 0; i < centres; i++) centre[i] = basis.mu(i * widths);
        this.h = centres > 1 ? centre[1] - centre[0] : 1;
        this.var = new double[widths];
        for (int s = 0; s < widths; s++) var[s] = basis.sigma(s) * basis.sigma(s);
    }

    /** r for one Gaussian N(m, s2), [N], float32. */
    public float[] expected(double m, double s2) {
        float[] r = new float[n];
        for (int s = 0; s < widths; s++) {
            double v = s2 + var[s];
            double norm = 1.0 / Math.sqrt(v * TWO_PI);
            if (centres < 3) {
                for (int i = 0; i < centres; i++) {
                    double dm = m - centre[i], x = dm * dm / v * -0.5;
                    if (x > CUTOFF_EXPONENT) r[i * widths + s] = (float) (Math.exp(x) * norm);
                }
                continue;
            }
            int i0 = (int) Math.max(0, Math.min(centres - 1, Math.round((m - centre[0]) / h)));
            double d0 = m - centre[i0];
            double x0 = d0 * d0 / v * -0.5;
            if (!(x0 > CUTOFF_EXPONENT)) continue; // every centre is farther than the nearest one
            double g0 = Math.exp(x0) * norm;
            r[i0 * widths + s] = (float) g0;
            double gamma = Math.exp(-h * h / v);
            // upwards: g_{i+1}/g_i = exp(h(m − μ_i)/v − h²/(2v))
            double g = g0, rho = Math.exp(h * d0 / v - h * h / (2 * v));
            for (int i = i0 + 1; i < centres; i++) {
                double dm = m - centre[i];
                if (!(dm * dm / v * -0.5 > CUTOFF_EXPONENT)) break;
                g *= rho;
                rho *= gamma;
                r[i * widths + s] = (float) g;
            }
            // downwards: g_{i-1}/g_i = exp(−h(m − μ_i)/v − h²/(2v))
            g = g0;
            rho = Math.exp(-h * d0 / v - h * h / (2 * v));
            for (int i = i0 - 1; i >= 0; i--) {
                double dm = m - centre[i];
                if (!(dm * dm / v * -0.5 > CUTOFF_EXPONENT)) break;
                g *= rho;
                rho *= gamma;
                r[i * widths + s] = (float) g;
            }
        }
        return r;
    }
}
