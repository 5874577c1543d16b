package io.ltm.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/**
 * Continuous attention over the signal X̄(t) = Bᵀψ(t) with a Gaussian density p = N(μ, σ²) on ℝ, r = E_p[ψ] in
 * closed form (official {@code ContinuousSoftmax}).
 */
public final class ContinuousAttention {
    /** Score subtracted from basis functions past a memory's content: exp(−1e4) is 0 in float32 for any temperature. */
    private static final float EMPTY_PENALTY = 1e4f;

    private ContinuousAttention() {}

    /** Output of the trained ("affines") head. mu, s2: [H,Q]; r: [H·Q, N]; ctx: [Q, e] (pre-Wo); z: [Q, e_out]. */
    public record Trained(NDArray mu, NDArray s2, NDArray r, NDArray ctx, NDArray z) {}

    /** Output of the zero-shot head for K reads: a [K,N] basis attention, mu/s2 [K], r [K,N], ctx [K,d]. */
    public record ZeroShot(NDArray a, NDArray mu, NDArray s2, NDArray r, NDArray ctx) {}

    /**
     * The official affines=True head. K = B W_K, V = B W_V split into H column blocks; scores = K_h q/√d;
     * μ = sigmoid(w_μᵀ scores), σ² = max(softplus(w_σᵀ scores), σ²_min) (w shared by heads); c_h = V_hᵀ r;
     * Z = [c_1 … c_H] W_O. Computed without forming K and V: w_μᵀ K_h q = ((w_μᵀB) W_K)_h · q and
     * V_hᵀ r = W_V[:,h]ᵀ (Bᵀ r), which is mathematically identical and e/N times cheaper.
     *
     * @param b [N, e]; q [H, Q, d]; wk, wv [e, e]; wmu, wsig [N]; wo [e, e_out] or null
     */
    public static Trained trained(
            DeviceMath k,
            NDArray b,
            NDArray q,
            NDArray wk,
            NDArray wv,
            NDArray wmu,
            NDArray wsig,
            NDArray wo,
            double sigma2Min) {
        long h = q.getShape().get(0), nq = q.getShape().get(1), d = q.getShape().get(2);
        long e = b.getShape().get(1);
        double isd = 1.0 / Math.sqrt(d);
        NDArray w2 =
                DeviceMath.scoped(wmu.reshape(1, -1), q).concat(DeviceMath.scoped(wsig.reshape(1, -1), q), 0); // [2, N]
        NDArray kw = w2.matMul(b).matMul(wk); // [2, e]
        NDArray kmu = kw.get(0).reshape(h, 1, d);
        NDArray ksg = kw.get(1).reshape(h, 1, d);
        NDArray xmu = q.mul(kmu).sum(new int[] {2}).mul(isd); // [H, Q]
        NDArray xsg = q.mul(ksg).sum(new int[] {2}).mul(isd);
        NDArray mu = xmu.neg().exp().add(1).pow(-1);
        NDArray y = xsg.minimum(20f).exp(); // softplus without log1p:
        NDArray sp = NDArrays.where(
                y.lt(1e-3f), y.mul(y.mul(-0.5f).add(1f)), y.add(1f).log());
        NDArray s2 = NDArrays.where(xsg.gt(20f), xsg, sp).maximum((float) sigma2Min);
        NDArray r = k.expectedPsi(mu.reshape(-1), s2.reshape(-1)); // [H·Q, N]
        NDArray rb = r.matMul(b).reshape(h, nq, e); // [H, Q, e]
        NDArray wvh =
                DeviceMath.scoped(DeviceMath.scoped(wv.reshape(e, h, d), q).transpose(1, 0, 2), q); // [H, e, d]
        NDArray ctx = rb.batchMatMul(wvh).transpose(1, 0, 2).reshape(nq, h * d);
        NDArray z = wo == null ? ctx : ctx.matMul(wo);
        return new Trained(mu, s2, r, ctx, z);
    }

    /**
     * The cosine keys of memories: X̄ at the N/S distinct basis centres, normalised to unit length (see
     * {@code MemoryConfig#cosineKeys()}). They depend only on the memory, so they are computed once per version.
     *
     * @param b [N, d]
     * @return [C, d] in b's manager
     */
    public static NDArray cosineKeys(DeviceMath k, NDArray b) {
        NDArray kb = DeviceMath.scoped(k.centreRowsOp().matMul(b), b); // X̄(centre i), [C, d]
        return unit(kb, 1);
    }

    /**
     * x / |x| along {@code axis} (0 where x is 0), with x first divided by its largest magnitude there: past a young
     * memory's content X̄ fades to entries of 1e-25 and less (and so do queries made of it), whose float32 squares
     * underflow, and a norm of 0 made cosines of 1e7 that no penalty outweighs. The host computes the same in float64
     * ({@link MemoryKeys}).
     */
    public static NDArray unit(NDArray x, int axis) {
        NDArray scaled = x.div(x.abs().max(new int[] {axis}, true).maximum(DeviceMath.FLUSH));
        return scaled.div(scaled.norm(new int[] {axis}, true).maximum(1e-30f));
    }

    /**
     * Zero-shot head for K reads at once (official affines=False branch with keys = values = B):
     * a = softmax(B q / (√d·T)) over the N basis functions, μ = Σ a_n μ_n, σ² = Σ a_n(μ_n² + σ_n²) − μ²
     * (moment matching of the mixture Σ a_n ψ_n), clamped at σ²_min; r = E_{N(μ,σ²)}[ψ]; context = Bᵀ r.
     * With cosine keys, the scores are cos(X̄(μ_n), q)/T instead: the key of basis n is the reconstructed signal at its
     * centre (see {@code MemoryConfig#cosineKeys()}).
     *
     * Basis functions centred past a memory's filled extent (the empty tail of a uniform memory's epoch, where X̄ is
     * only a faint echo of the content before it, with a direction of its own) get no attention.
     *
     * The reads come in G groups of g slots, every read of a group reading the group's memory: the scores and the
     * contexts are one batched matmul each over the groups' memories, without copying a memory per read. Slots without
     * a read hold zero queries; their results are to be ignored.
     *
     * @param b [G, N, d] the memory of each group; keys [G, C, d] its cosine keys ({@link #cosineKeys}), or null for
     *     raw keys; q [G, g, d] pooled queries; filled [G·g] the end of each read's memory content on [0, 1]
     */
    public static ZeroShot zeroShot(
            DeviceMath k, NDArray b, NDArray keys, NDArray q, NDArray filled, double temperature, double sigma2Min) {
        long groups = q.getShape().get(0), g = q.getShape().get(1), kk = groups * g;
        long n = b.getShape().get(1), d = b.getShape().get(2);
        NDArray s;
        if (keys != null) {
            long c = keys.getShape().get(1);
            NDArray qn = unit(q, 2);
            s = qn.batchMatMul(keys.transpose(0, 2, 1)).reshape(kk, c).mul(1.0 / temperature);
            if (c != n) s = s.repeat(1, n / c); // basis n = i·S + s has centre i
        } else {
            s = q.batchMatMul(b.transpose(0, 2, 1)).reshape(kk, n).mul(1.0 / (Math.sqrt(d) * temperature));
        }
        NDArray empty = DeviceMath.scoped(k.muRow().sub(k.centreSpacing()), q).gt(filled.reshape(kk, 1));
        NDArray a =
                s.sub(empty.toType(DataType.FLOAT32, false).mul(EMPTY_PENALTY)).softmax(1);
        NDArray mu = a.matMul(k.muCol()).reshape(kk);
        NDArray m2 = a.matMul(k.mu2Col()).reshape(kk);
        NDArray s2 = m2.sub(mu.square()).maximum((float) sigma2Min);
        NDArray r = k.expectedPsi(mu, s2); // [K, N]
        NDArray ctx = r.reshape(groups, g, n).batchMatMul(b).reshape(kk, d);
        return new ZeroShot(a, mu, s2, r, ctx);
    }

    /** KL(N(μ,σ²) ‖ N(μ₀,σ₀²)) = ½(σ²/σ₀² − log(σ²/σ₀²) − 1) [+ ½(μ−μ₀)²/σ₀² when mu0 is not null]. */
    public static double kl(double mu, double s2, double sigma0, Double mu0) {
        double s0 = sigma0 * sigma0;
        double v = 0.5 * (s2 / s0 - Math.log(s2 / s0) - 1.0);
        if (mu0 != null) v += 0.5 * (mu - mu0) * (mu - mu0) / s0;
        return v;
    }
}
