package io.ltm.model.internal;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ridge regression with zero-target padding, G = Fᵀ(FFᵀ + λI)⁻¹ with F = [ψ(p_1) … ψ(p_P)] ∈ ℝ^{N×P}, computed
 * once per configuration in float64 (PyTorch double on the CPU) and cached process-wide.
 * Positions follow the official code (see infinity-former.md §1, §2).
 */
public final class RidgeSolver {
    private RidgeSolver() {}

    /** Fresh fit: all positions, the real slice [start,end), and the real rows of G, row-major [L, N]. */
    public record Fit(double[] positions, int start, int end, double[] gReal) {
        double[] realPositions() {
            return Arrays.copyOfRange(positions, start, end);
        }
    }

    /**
     * Update: all positions, real slice, G_inf real rows [M+L, N] and the uniform-sampling operator
     * U = G_oldᵀ Ψ(j/M) ∈ ℝ^{N×N} (so that, with uniform samples, B_new = U B_past + G_newᵀ X_new).
     */
    public record Inf(double[] positions, int start, int end, double[] gReal, double[] uniformOld) {
        double[] realPositions() {
            return Arrays.copyOfRange(positions, start, end);
        }
    }

    private record FitKey(Basis b, int l, double lambda) {}

    private record InfKey(Basis b, int l, int m, double tau, double lambda, boolean f32) {}

    private record DoublingKey(Basis b, int l, int m, double lambda) {}

    /**
     * The operators of a doubling of uniform retention, float32 from float64 products: {@code refit}
     * R = Â⁻¹ (L/2M) Ψ(u)ᵀ, [N, M] with u_j = (j + ½)/(2M), which fits M samples of the old signal onto [0, ½]; and
     * {@code midpoints} R·Ψ(s), [N, N] with s_j = (j + ½)/M, the whole doubling when the samples are the midpoints.
     */
    public record Doubling(float[] refit, float[] midpoints) {}

    private static final Map<FitKey, Fit> FITS = new ConcurrentHashMap<>();
    private static final Map<FitKey, double[]> UNIFORM_INVERSES = new ConcurrentHashMap<>();
    private static final Map<FitKey, float[]> UNIFORM_INVERSES_F32 = new ConcurrentHashMap<>();
    private static final Map<InfKey, Inf> INFS = new ConcurrentHashMap<>();
    private static final Map<DoublingKey, Doubling> DOUBLINGS = new ConcurrentHashMap<>();

    /**
     * {@link Doubling} for L = l and M = m samples, cached per configuration: with them a doubling is two products of
     * 100M multiply-adds at the defaults (Ψ(s)·B, then the refit), or one when it reads at the midpoints (a memory
     * without sticky reads), instead of three with the half axis' statistics and Â⁻¹ applied in turn.
     */
    public static Doubling doubling(Basis b, int l, int m, double lambda) {
        return DOUBLINGS.computeIfAbsent(new DoublingKey(b, l, m, lambda), k -> {
            int n = b.size();
            double[] u = new double[m], mid = new double[m];
            for (int j = 0; j < m; j++) {
                u[j] = (j + 0.5) / (2.0 * m);
                mid[j] = (j + 0.5) / m;
            }
            try (NDManager mg = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                NDArray inverse = mg.create(uniformGramInverse(b, l, lambda), new Shape(n, n));
                NDArray halfAxis =
                        mg.create(b.psi(u), new Shape(m, n)).transpose().mul(l / (2.0 * m));
                NDArray refit = inverse.matMul(halfAxis); // [N, M]
                NDArray midpoints = refit.matMul(mg.create(b.psi(mid), new Shape(m, n))); // [N, N]
                return new Doubling(
                        DeviceMath.toFloat(refit.toDoubleArray()), DeviceMath.toFloat(midpoints.toDoubleArray()));
            }
        });
    }

    public static Fit fit(Basis b, int l, double lambda) {
        return FITS.computeIfAbsent(new FitKey(b, l, lambda), k -> {
            double[] pos = fitPositionsAll(l);
            int cut = l % 2 == 1 ? (l - 1) / 2 : l / 2;
            double[] g = ridgeRows(b, pos, lambda, cut, pos.length - cut);
            return new Fit(pos, cut, pos.length - cut, g);
        });
    }

    public static Inf inf(Basis b, int l, int m, double tau, double lambda, boolean float32Positions) {
        return INFS.computeIfAbsent(new InfKey(b, l, m, tau, lambda, float32Positions), k -> {
            double[][] pr = infPositionsAll(l, m, tau, float32Positions);
            double[] pos = pr[0];
            int start = (int) pr[1][0];
            double[] g = ridgeRows(b, pos, lambda, start, start + m + l);
            double[] uniform = new double[m];
            for (int j = 0; j < m; j++) uniform[j] = (j + 1) / (double) m;
            double[] psiU = b.psi(uniform); // [M, N]
            int n = b.size();
            double[] u;
            try (NDManager mg = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                NDArray gOld = mg.create(Arrays.copyOfRange(g, 0, m * n), new Shape(m, n));
                NDArray ps = mg.create(psiU, new Shape(m, n));
                u = gOld.transpose().matMul(ps).toDoubleArray();
            }
            return new Inf(pos, start, start + m + l, g, u);
        });
    }

    /**
     * {@link #uniformGramInverse} rounded to float32 once (what both the device's products and the host's
     * {@code CoefficientLog} multiply by, so that they use the same values). Cached per configuration.
     */
    public static float[] uniformGramInverseFloat(Basis b, int l, double lambda) {
        return UNIFORM_INVERSES_F32.computeIfAbsent(new FitKey(b, l, lambda), k -> {
            double[] d = uniformGramInverse(b, l, lambda);
            float[] f = new float[d.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) d[i];
            // Â⁻¹ decays away from its diagonal into float32 denormals: B from its log took 12 ms with them, 3 ms
            // without
            return DeviceMath.flushTiny(f);
        });
    }

    /**
     * Â⁻¹ with Â = l ∫₀¹ ψψᵀ dt + λI, row-major [N, N], float64: the ridge matrix of a uniform density of l samples per
     * unit of t (the limit of Σ ψ(t_i)ψ(t_i)ᵀ over l evenly spaced t_i, which it matches to float precision once the
     * spacing is below the narrowest width). ∫₀¹ ψ_a ψ_b = N(μ_a; μ_b, σ_a²+σ_b²)·P(0 ≤ T ≤ 1) for T ~ N(m, s²),
     * m = (μ_a σ_b² + μ_b σ_a²)/(σ_a²+σ_b²), s² = σ_a²σ_b²/(σ_a²+σ_b²). Cached per configuration.
     */
    public static double[] uniformGramInverse(Basis b, int l, double lambda) {
        return UNIFORM_INVERSES.computeIfAbsent(new FitKey(b, l, lambda), k -> {
            int n = b.size();
            double[] va = new double[n * n], mm = new double[n * n], ss = new double[n * n], dd = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double si = b.sigma(i) * b.sigma(i), sj = b.sigma(j) * b.sigma(j), v = si + sj;
                    va[i * n + j] = v;
                    mm[i * n + j] = (b.mu(i) * sj + b.mu(j) * si) / v;
                    ss[i * n + j] = Math.sqrt(si * sj / v) * Math.sqrt(2.0);
                    dd[i * n + j] = b.mu(i) - b.mu(j);
                }
            }
            try (NDManager mg = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                Shape sh = new Shape(n, n);
                NDArray v = mg.create(va, sh), mid = mg.create(mm, sh), s = mg.create(ss, sh), d = mg.create(dd, sh);
                NDArray peak =
                        d.square().div(v).mul(-0.5).exp().div(v.mul(2 * Math.PI).sqrt());
                NDArray mass = mid.neg()
                        .add(1.0)
                        .div(s)
                        .erf()
                        .sub(mid.neg().div(s).erf())
                        .mul(0.5);
                NDArray a = peak.mul(mass)
                        .mul((double) l)
                        .add(mg.eye(n, n, 0, DataType.FLOAT64).mul(lambda));
                return refinedInverse(mg, a, n).toDoubleArray();
            }
        });
    }

    /** numpy.linspace bit-exactly. */
    public static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[num - 1] = stop;
        return y;
    }

    /** Fresh-fit positions including the zero-target padding (reference {@code fit_positions(L, True)}). */
    static double[] fitPositionsAll(int l) {
        if (l % 2 == 1) {
            double shift = 1.0 / l;
            return linspace(-0.5 + shift, 1.5 - shift, 2 * l - 1);
        }
        double shift = 1.0 / (2 * l);
        return linspace(-0.5 + shift, 1.5 - shift, 2 * l);
    }

    /** Update positions: {all positions, {realStart}} (reference {@code inf_positions}). */
    static double[][] infPositionsAll(int l, int m, double tau, boolean f32) {
        double[] core = new double[m + l];
        for (int j = 1; j <= m; j++) {
            core[j - 1] = f32 ? (double) ((float) j * (float) tau / (float) m) : j * tau / m;
        }
        for (int j = 1; j <= l; j++) {
            core[m + j - 1] = f32
                    ? (double) ((float) tau + (float) (1.0 - tau) * (float) j / (float) l)
                    : tau + (1.0 - tau) * j / l;
        }
        double shift = 1.0 / (2 * l + m);
        double[] grid = linspace(-0.5 + shift, 1.5 - shift, 2 * (l + m));
        if (f32) for (int i = 0; i < grid.length; i++) grid[i] = (float) grid[i];
        int nNeg = 0, nPos = 0;
        for (double g : grid) {
            if (g < 0) nNeg++;
            else if (g > 1) nPos++;
        }
        double[] all = new double[nNeg + m + l + nPos];
        int k = 0;
        for (double g : grid) if (g < 0) all[k++] = g;
        System.arraycopy(core, 0, all, k, m + l);
        k += m + l;
        for (double g : grid) if (g > 1) all[k++] = g;
        return new double[][] {all, {nNeg}};
    }

    /** Rows [from,to) of G = Fᵀ(FFᵀ+λI)⁻¹ for the given positions, row-major [to-from, N], float64. */
    static double[] ridgeRows(Basis b, double[] positions, double lambda, int from, int to) {
        int n = b.size();
        int p = positions.length;
        double[] psiT = b.psi(positions); // [P, N] = Fᵀ
        try (NDManager mg = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray ft = mg.create(psiT, new Shape(p, n)); // float64
            NDArray a = ft.transpose()
                    .matMul(ft)
                    .add(mg.eye(n, n, 0, DataType.FLOAT64).mul(lambda));
            NDArray ainv = refinedInverse(mg, a, n);
            NDArray g = ft.get(from + ":" + to).matMul(ainv);
            return g.toDoubleArray();
        }
    }

    /** A⁻¹ with one Newton-Schulz refinement step X ← X(2I − AX), which improves the float64 inverse of a cond ~1e6 matrix. */
    private static NDArray refinedInverse(NDManager mg, NDArray a, int n) {
        NDArray ainv = a.inverse();
        NDArray eye2 = mg.eye(n, n, 0, DataType.FLOAT64).mul(2.0);
        return ainv.matMul(eye2.sub(a.matMul(ainv)));
    }
}
