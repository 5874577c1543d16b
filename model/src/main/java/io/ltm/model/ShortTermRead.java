package io.ltm.model;

import io.ltm.model.internal.ShortTermMemory;
import io.ltm.model.internal.Strongest;
import java.util.List;

/**
 * The short-term memory's part of a read (the exact vectors not yet contracted): c_STM, the softmax attention of q̄
 * over the buffer, its strongest tokens as {@link ShortTermHit}s, and the mix with the long-term context,
 * c = w_L c_LTM + w_S c_STM with (w_L, w_S) = softmax(cos(q̄, c_LTM)/T, cos(q̄, c_STM)/T), on host arrays.
 */
final class ShortTermRead {
    private final MemoryConfig cfg;

    ShortTermRead(MemoryConfig cfg) {
        this.cfg = cfg;
    }

    /**
     * c_STM of the state's short-term buffer (not empty) for q̄ when {@code context}, else null; adds its {@code k}
     * strongest tokens to hits.
     */
    float[] read(MemoryState s, float[] qbar, int k, List<ShortTermHit> hits, boolean context) {
        ShortTermMemory.Out st = ShortTermMemory.attend(
                s.shortTermRef(), s.shortTermCount(), cfg.dim(), qbar, cfg.temperature(), cfg.cosineKeys(), context);
        float[] w = st.weights();
        long firstIdx = s.tokensAbsorbed() - s.shortTermCount();
        List<String> toks = s.shortTermTokens();
        // the k strongest tokens, strongest first (equal weights in stream order): k is small, and a boxed sort of the
        // whole buffer was a tenth of a read
        double[] weights = new double[w.length];
        for (int i = 0; i < w.length; i++) weights[i] = w[i];
        boolean[] picked = new boolean[w.length];
        for (int j = 0; j < Math.min(k, w.length); j++) {
            int t = Strongest.untried(weights, picked);
            picked[t] = true;
            hits.add(new ShortTermHit(
                    firstIdx + t,
                    st.cosines()[t],
                    w[t],
                    toks.get(t),
                    s.timeline().sourceOf(firstIdx + t)));
        }
        return st.context();
    }

    /** c = w_L c_LTM + w_S c_STM. */
    static float[] mix(float[] q, float[] ltm, float[] stm, double temperature) {
        double ca = cos(q, ltm), cb = cos(q, stm);
        double mx = Math.max(ca, cb);
        double wa = Math.exp((ca - mx) / temperature), wb = Math.exp((cb - mx) / temperature);
        double s = wa + wb;
        float[] c = new float[ltm.length];
        for (int i = 0; i < c.length; i++) c[i] = (float) ((wa * ltm[i] + wb * stm[i]) / s);
        return c;
    }

    private static double cos(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * (double) b[i];
            aa += a[i] * (double) a[i];
            bb += b[i] * (double) b[i];
        }
        return ab / Math.max(1e-30, Math.sqrt(aa * bb));
    }
}
