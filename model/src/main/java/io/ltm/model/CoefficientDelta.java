package io.ltm.model;

/**
 * One contraction under uniform retention, as it changes B: B ← B + Â⁻¹[:, lo, hi) · Y with Y = (L/c) Ψ(t)ᵀ X, the
 * ridge statistics of the chunk's L tokens restricted to the basis functions [lo, hi) that it touches ({@code y}:
 * [hi − lo, d], row-major). Y does not depend on B, so a contraction can be kept as Y alone: about a twelfth of B's
 * bytes on a long stream at defaults (see {@link CoefficientLog}).
 */
public record CoefficientDelta(int lo, int hi, float[] y) {
    public CoefficientDelta {
        if (lo < 0 || hi <= lo) throw new IllegalArgumentException("need 0 <= lo < hi, got [" + lo + ", " + hi + ")");
        if (y == null || y.length % (hi - lo) != 0)
            throw new IllegalArgumentException("y must have (hi - lo) rows of d values");
    }

    /** d, the width of Y's rows. */
    public int dim() {
        return y.length / (hi - lo);
    }
}
