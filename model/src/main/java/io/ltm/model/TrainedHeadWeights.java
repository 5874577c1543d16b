package io.ltm.model;

/**
 * Weights of the paper's trained ("affines") head, applied as x·W (torch's nn.Linear stores Wᵀ):
 * wk, wv: e×e row-major; wMu, wSigma: N (shared by all heads); wo: e×eOut row-major or null; heads: H with e = H·d.
 * Optional KL settings: sigma0 (0.05) and mu0 (null = variance-only KL).
 */
public record TrainedHeadWeights(
        float[] wk,
        float[] wv,
        float[] wMu,
        float[] wSigma,
        float[] wo,
        int outDim,
        int heads,
        double sigma0,
        Double mu0) {
    public TrainedHeadWeights {
        if (heads < 1) throw new IllegalArgumentException("heads < 1");
        if (wk == null || wv == null || wMu == null || wSigma == null)
            throw new IllegalArgumentException("missing weights");
        if (wk.length != wv.length) throw new IllegalArgumentException("wk and wv differ in size");
        if (wMu.length != wSigma.length) throw new IllegalArgumentException("wMu and wSigma differ in size");
    }

    public TrainedHeadWeights(float[] wk, float[] wv, float[] wMu, float[] wSigma, float[] wo, int outDim, int heads) {
        this(wk, wv, wMu, wSigma, wo, outDim, heads, 0.05, null);
    }

    /** e, from wk (e×e). */
    public int dim() {
        return (int) Math.round(Math.sqrt(wk.length));
    }
}
