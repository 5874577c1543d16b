package io.ltm.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-configuration constants on one device (basis parameters, float32 copies of the float64 ridge matrices,
 * bin-mass tables), owned by one long-lived NDManager. Not thread-safe (one engine per thread).
 */
public final class DeviceMath implements AutoCloseable {
    /** Upper bound on the resolution of the attention profile over t used to find modes (spans). */
    static final int PROFILE_BINS = 512;

    private static final int MAX_CACHED_TAUS = 32;
    /** Bin masses below this fraction of their row's largest are 0 (see withoutNegligible). */
    private static final float NEGLIGIBLE_MASS = 0x1p-24f;

    private final NDManager mgr;
    private final Basis basis;
    private final int l;
    private final int m;
    private final double lambda;
    private final boolean f32Positions;
    private final NDArray mu; // [1,N] f32
    private final NDArray sig2; // [1,N] f32
    private final NDArray negHalfInvSig2; // [1,N]
    private final NDArray norm; // [1,N] 1/(σ√2π)
    private final NDArray mu2PlusSig2; // [N] f32, for moment matching
    private final NDArray muVec; // [N] f32
    private final NDArray muCol; // [N,1] f32
    private final NDArray mu2Col; // [N,1] f32
    private NDArray gFitT; // [N,L]
    private final Map<Double, NDArray[]> inf = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Integer, NDArray> binMassTables = new LinkedHashMap<>();

    public DeviceMath(NDManager parent, Basis basis, int l, int m, double lambda, boolean float32Positions) {
        this.mgr = parent.newSubManager();
        this.basis = basis;
        this.l = l;
        this.m = m;
        this.lambda = lambda;
        this.f32Positions = float32Positions;
        int n = basis.size();
        double[] mu0 = basis.mu();
        double[] s0 = basis.sigma();
        float[] muF = new float[n], s2F = new float[n], nh = new float[n], nr = new float[n], m2 = new float[n];
        for (int i = 0; i < n; i++) {
            muF[i] = (float) mu0[i];
            s2F[i] = (float) (s0[i] * s0[i]);
            nh[i] = (float) (-0.5 / (s0[i] * s0[i]));
            nr[i] = (float) (1.0 / (s0[i] * Basis.SQRT2PI));
            m2[i] = (float) (mu0[i] * mu0[i] + s0[i] * s0[i]);
        }
        Shape row = new Shape(1, n);
        mu = mgr.create(muF, row);
        sig2 = mgr.create(s2F, row);
        negHalfInvSig2 = mgr.create(nh, row);
        norm = mgr.create(nr, row);
        mu2PlusSig2 = mgr.create(m2);
        muVec = mgr.create(muF);
        muCol = mgr.create(muF, new Shape(n, 1));
        mu2Col = mgr.create(m2, new Shape(n, 1));
    }

    private NDArray centreOp;

    /** P = Ψ(μ) ∈ ℝ^{N×N}: P·B is the reconstructed signal X̄ at every basis centre. Cached. */
    NDArray centreSignalOp() {
        if (centreOp == null) centreOp = mgr.create(toFloat(basis.psi(basis.mu())), new Shape(n(), n()));
        return centreOp;
    }

    private NDArray centreRowsOp;

    /**
     * Ψ at the N/S distinct centres, [N/S, N]: row i is X̄(μ) at centre i (every width at that centre shares it), so the
     * cosine keys cost half of {@link #centreSignalOp()}'s matmul. Cached.
     */
    NDArray centreRowsOp() {
        if (centreRowsOp == null) {
            int s = basis.widths().length, c = n() / s;
            double[] m = new double[c];
            for (int i = 0; i < c; i++) m[i] = basis.mu(i * s);
            centreRowsOp = mgr.create(toFloat(basis.psi(m)), new Shape(c, n()));
        }
        return centreRowsOp;
    }

    /** Moves r into the manager of {@code like} (results of ops whose first operand is a long-lived constant). */
    static NDArray scoped(NDArray r, NDArray like) {
        r.attach(like.getManager());
        return r;
    }

    NDManager manager() {
        return mgr;
    }

    public Basis basis() {
        return basis;
    }

    int n() {
        return basis.size();
    }

    int l() {
        return l;
    }

    int m() {
        return m;
    }

    double lambda() {
        return lambda;
    }

    NDArray muRow() {
        return mu;
    }
    /** Distance between neighbouring basis centres. */
    double centreSpacing() {
        int c = n() / basis.widths().length;
        return c > 1 ? 1.0 / (c - 1) : 1.0;
    }

    NDArray muVec() {
        return muVec;
    }

    NDArray mu2PlusSig2() {
        return mu2PlusSig2;
    }

    NDArray muCol() {
        return muCol;
    }

    NDArray mu2Col() {
        return mu2Col;
    }

    /** G_fitᵀ, [N, L] float32 (from the float64 solution). */
    NDArray gFitT() {
        if (gFitT == null) {
            RidgeSolver.Fit f = RidgeSolver.fit(basis, l, lambda);
            gFitT = transposed(toFloat(f.gReal()), l, n());
        }
        return gFitT;
    }

    /** {G_infᵀ [N, M+L], uniform operator [U | G_newᵀ] [N, N+L], G_oldᵀ [N, M], G_newᵀ [N, L]}, float32, LRU-cached per τ. */
    NDArray[] inf(double tau) {
        NDArray[] r = inf.get(tau);
        if (r != null) return r;
        RidgeSolver.Inf s = RidgeSolver.inf(basis, l, m, tau, lambda, f32Positions);
        int n = n();
        NDArray gT = transposed(toFloat(s.gReal()), m + l, n);
        float[] op = new float[n * (n + l)];
        double[] u = s.uniformOld(); // [N, N]
        double[] g = s.gReal(); // [(M+L), N]
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) op[i * (n + l) + j] = (float) u[i * n + j];
            for (int j = 0; j < l; j++) op[i * (n + l) + n + j] = (float) g[(m + j) * n + i];
        }
        NDArray uop = mgr.create(flushTiny(op), new Shape(n, n + l)); // denormals slow matmuls on some CPUs
        float[] gold = new float[n * m], gnew = new float[n * l];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) gold[i * m + j] = (float) g[j * n + i];
            for (int j = 0; j < l; j++) gnew[i * l + j] = (float) g[(m + j) * n + i];
        }
        r = new NDArray[] {
            gT, uop, mgr.create(flushTiny(gold), new Shape(n, m)), mgr.create(flushTiny(gnew), new Shape(n, l))
        };
        inf.put(tau, r);
        if (inf.size() > MAX_CACHED_TAUS) {
            Double eldest = inf.keySet().iterator().next();
            for (NDArray a : inf.remove(eldest)) a.close();
        }
        return r;
    }

    private NDArray transposed(float[] rowMajor, int rows, int cols) {
        float[] t = new float[rowMajor.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = rowMajor[i * cols + j];
        return mgr.create(t, new Shape(cols, rows));
    }

    /** ψ(t), [T, N] float32, on the device. t: [T] float32. */
    public NDArray psi(NDArray t) {
        NDArray d = t.reshape(-1, 1).sub(mu);
        NDArray x = d.square().mul(negHalfInvSig2);
        return x.exp().mul(x.gt(-69f).toType(DataType.FLOAT32, false).mul(norm)); // exact 0 instead of denormals
    }

    /** r = E_{N(mq, s2)}[ψ] = N(mq; μ_n, σ_n²+s2), [Q, N]. mq, s2: [Q] float32. */
    public NDArray expectedPsi(NDArray mq, NDArray s2) {
        NDArray v = s2.reshape(-1, 1).add(sig2); // [Q,N]
        NDArray d = mq.reshape(-1, 1).sub(mu);
        NDArray x = d.square().div(v).mul(-0.5);
        return x.exp()
                .mul(x.gt((float) ExpectedPsi.CUTOFF_EXPONENT).toType(DataType.FLOAT32, false))
                .div(v.mul(2 * Math.PI).sqrt());
    }

    /**
     * Mass of each Gaussian N(mu_q, sd_q²) in each bin [e_j, e_{j+1}), float64 on the device, [Q, D].
     * mu, sd: [Q] (any float type).
     */
    public static NDArray gaussianBinMass(NDArray mu, NDArray sd, double[] edges) {
        NDManager m = mu.getManager();
        NDArray e = m.create(edges).reshape(1, -1); // [1, D+1] f64
        NDArray z = e.sub(mu.toType(DataType.FLOAT64, false).reshape(-1, 1))
                .div(sd.toType(DataType.FLOAT64, false).reshape(-1, 1).mul(Math.sqrt(2.0)));
        NDArray cdf = z.erf().add(1.0).mul(0.5); // [Q, D+1]
        long d = edges.length - 1;
        return cdf.get(":, 1:").sub(cdf.get(":, :" + d));
    }

    /** Edges of the sticky histogram: linspace(0,1,D+1) with the outer edges moved to -1e-6 and 1+1e-6. */
    public static double[] stickyEdges(int d) {
        double[] e = RidgeSolver.linspace(0, 1, d + 1);
        e[0] = -1e-6;
        e[d] = 1 + 1e-6;
        return e;
    }

    /** Mass of every basis density ψ_n in each of D bins of [0,1] (sticky edges), [N, D] float32, cached. */
    public NDArray basisBinMass(int d) {
        return binMassTables.computeIfAbsent(d, k -> {
            try (NDManager t = mgr.newSubManager()) {
                double[] s = basis.sigma();
                return withoutNegligible(
                        gaussianBinMass(t.create(basis.mu()), t.create(s), stickyEdges(k)), basis.size(), k);
            }
        });
    }

    /**
     * Bins of the attention profile: one per basis centre (N/S), clamped to [16, 512], so that the ripple between
     * centres of narrow basis functions does not split one stretch into many modes.
     */
    public int profileBins() {
        return Math.max(16, Math.min(PROFILE_BINS, basis.size() / basis.widths().length));
    }

    /** Mass of every ψ_n in each of {@link #profileBins()} equal bins of [0,1], [N, R] float32, cached. */
    public NDArray profileBinMass() {
        return binMassTables.computeIfAbsent(-1, k -> {
            try (NDManager t = mgr.newSubManager()) {
                return withoutNegligible(
                        gaussianBinMass(
                                t.create(basis.mu()),
                                t.create(basis.sigma()),
                                RidgeSolver.linspace(0, 1, profileBins() + 1)),
                        basis.size(),
                        profileBins());
            }
        });
    }

    /**
     * A bin-mass table [rows, bins] in float32 with every entry below 2⁻²⁴ (float32's resolution) of its row's largest
     * set to 0, on this engine's manager: a Gaussian's bin mass falls that low about 5.8 σ from its centre, where the
     * float64 difference of its CDF values stays above 0 to about 8.6 σ, so the host read's banded rows
     * ({@link BandedRows}) are a third narrower (44 → 30 of 256 profile bins at the default widths) for a change below
     * the resolution of each row's contribution. Host and device reads use the same tables.
     */
    private NDArray withoutNegligible(NDArray mass, int rows, int bins) {
        float[] m = mass.toType(DataType.FLOAT32, false).toFloatArray();
        for (int i = 0; i < rows; i++) {
            float max = 0;
            for (int j = 0; j < bins; j++) max = Math.max(max, m[i * bins + j]);
            float floor = max * NEGLIGIBLE_MASS;
            for (int j = 0; j < bins; j++) if (m[i * bins + j] < floor) m[i * bins + j] = 0f;
        }
        return mgr.create(m, new Shape(rows, bins));
    }

    private double[] profileRef;

    /**
     * The profile of uniform attention (a_n = 1/N) per bin of {@link #profileBins()}, normalised to mean 1: dividing an
     * attention profile by it gives the density relative to uniform attention (the edge bins at t = 0 and 1 are only
     * half covered by the basis). Host side, cached.
     */
    public double[] profileReference() {
        if (profileRef == null) {
            float[] m = profileBinMass().sum(new int[] {0}).toFloatArray();
            double s = 0;
            for (float v : m) s += v;
            double[] r = new double[m.length];
            for (int i = 0; i < m.length; i++) r[i] = Math.max(1e-12, m[i] * m.length / s);
            profileRef = r;
        }
        return profileRef;
    }

    public static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return flushTiny(f);
    }

    /** Magnitude below which {@link #flushTiny} sets values to 0. */
    static final float FLUSH = 1e-30f;

    /** Sets values below {@link #FLUSH} in magnitude to 0, so that no float32 denormals slow down the matmuls. */
    static float[] flushTiny(float[] f) {
        for (int i = 0; i < f.length; i++) if (Math.abs(f[i]) < FLUSH) f[i] = 0f;
        return f;
    }

    private NDArray uniformGramInverse;

    /** Â⁻¹ of {@link RidgeSolver#uniformGramInverse}, [N, N] float32 (from the float64 solution). Cached. */
    NDArray uniformGramInverse() {
        if (uniformGramInverse == null) {
            uniformGramInverse = mgr.create(RidgeSolver.uniformGramInverseFloat(basis, l, lambda), new Shape(n(), n()));
        }
        return uniformGramInverse;
    }

    private NDArray doublingRefit;

    /** {@link RidgeSolver.Doubling#refit}, [N, M] float32: a doubling's fit of M samples of the old signal. Cached. */
    NDArray doublingRefit() {
        if (doublingRefit == null) {
            doublingRefit = mgr.create(RidgeSolver.doubling(basis, l, m, lambda).refit(), new Shape(n(), m));
        }
        return doublingRefit;
    }

    private NDArray midpointDoubling;

    /** {@link RidgeSolver.Doubling#midpoints}, [N, N] float32: a doubling that reads the old signal at the midpoints. */
    NDArray midpointDoubling() {
        if (midpointDoubling == null) {
            midpointDoubling =
                    mgr.create(RidgeSolver.doubling(basis, l, m, lambda).midpoints(), new Shape(n(), n()));
        }
        return midpointDoubling;
    }

    private final Map<Integer, NDArray> edgePsi = new LinkedHashMap<>();

    /** Ψ at the D left bin edges linspace(0,1,D+1)[0..D-1], [D, N] float32 (float64 on the host, then cast). */
    NDArray edgePsi(int d) {
        return edgePsi.computeIfAbsent(d, k -> {
            double[] e = java.util.Arrays.copyOf(RidgeSolver.linspace(0, 1, k + 1), k);
            return mgr.create(toFloat(basis.psi(e)), new Shape(k, n()));
        });
    }

    @Override
    public void close() {
        mgr.close();
    }
}
