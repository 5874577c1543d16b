package io.ltm.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * The ∞-former memory update on the device (float32, G precomputed in float64):
 * <ul>
 *   <li>fresh fit: B = G_fitᵀ X (X: [L, d]);</li>
 *   <li>uniform samples s_j = j/M: B_new = G_infᵀ [Ψ(s) B; X] = [G_oldᵀΨ(s) | G_newᵀ] · [B; X] — one matmul with a
 *   precomputed [N, N+L] operator;</li>
 *   <li>any sample positions (sticky draws, replayed positions): X_old = Ψ(s) B, B_new = G_infᵀ [X_old; X].</li>
 * </ul>
 * Old sample j is refit at τ·j/M, new vector j at τ + (1-τ)·j/L, whatever the sample positions were.
 */
public final class MemoryUpdate {
    private MemoryUpdate() {}

    public static NDArray fresh(DeviceMath k, NDArray x) {
        return DeviceMath.scoped(k.gFitT().matMul(x), x);
    }

    public static NDArray uniform(DeviceMath k, NDArray b, NDArray x, double tau) {
        return DeviceMath.scoped(k.inf(tau)[1].matMul(b.concat(x, 0)), x);
    }

    /** s: [M] float32 sample positions in the old signal's [0,1]. */
    public static NDArray atPositions(DeviceMath k, NDArray b, NDArray x, NDArray s, double tau) {
        NDArray old = k.psi(s).matMul(b);
        return DeviceMath.scoped(k.inf(tau)[0].matMul(old.concat(x, 0)), x);
    }

    /**
     * Sticky update with samples on the left bin edges e_b (b = bins[j], sorted): Ψ(s)·B has only D distinct rows,
     * E = Ψ(edges)·B ∈ ℝ^{D×d}, and G_oldᵀΨ(s)B = (G_oldᵀ C) E with C ∈ {0,1}^{M×D} the one-hot bins, so
     * B_new = (G_oldᵀ C) E + G_newᵀ X. Same result as {@link #atPositions} at (2·M·D + D·d + N·D·d + N·L·d)·N-ish
     * cost instead of (M + M + L)·N·d.
     */
    static NDArray atBins(DeviceMath k, NDArray b, NDArray x, int[] bins, int d, double tau) {
        NDArray[] g = k.inf(tau);
        NDManager mm = x.getManager();
        NDArray c = mm.create(bins).oneHot(d).toType(DataType.FLOAT32, false); // [M, D]
        NDArray w = DeviceMath.scoped(g[2].matMul(c), x); // [N, D]
        NDArray e = DeviceMath.scoped(k.edgePsi(d).matMul(b), x); // [D, d]
        NDArray nw = DeviceMath.scoped(g[3].matMul(x), x); // [N, d]
        return w.matMul(e).addi(nw);
    }
}
