package io.ltm.model.internal;

import ai.djl.ndarray.NDArray;
import io.ltm.model.MemoryConfig;
import io.ltm.model.Timeline;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;

/**
 * The paper's update, exactly: the old signal is sampled at M points (uniform j/M, or sticky draws from the read
 * histogram) and refit into [0, τ] with the configured τ; the L new vectors fill [τ, 1]. Old content loses
 * resolution geometrically (a segment absorbed k contractions ago occupies [0, τ^k]); recent content is sharp.
 * The sticky statistics are used up at every contraction.
 */
final class RecencyRetention implements Retention {
    private final MemoryConfig cfg;
    private final DeviceMath math;
    private final LongFunction<RandomGenerator> random;

    RecencyRetention(MemoryConfig cfg, DeviceMath math, LongFunction<RandomGenerator> random) {
        this.cfg = cfg;
        this.math = math;
        this.random = random;
    }

    /** Every contraction contracts the old signal into [0, τ]: it reads all of B. */
    @Override
    public boolean readsCoefficients(long first, Timeline timeline) {
        return true;
    }

    @Override
    public Step contract(NDArray b, NDArray x, long first, Timeline tl, double[] sticky, long contraction) {
        int l = cfg.contractionLength();
        if (b == null) {
            return new Step(
                    MemoryUpdate.fresh(math, x), null, tl.afterFreshFit(first, l, cfg.maxTimelineKnots()), sticky);
        }
        double tau = cfg.tau();
        double[] p = cfg.sticky() ? StickySampler.normalise(sticky) : null;
        double[] pos;
        NDArray next;
        if (p != null) {
            int[] bins = StickySampler.sampleBins(
                    p, cfg.samples(), random.apply(StickySampler.seedFor(cfg.seed(), contraction)));
            pos = StickySampler.leftEdges(bins, p.length);
            next = MemoryUpdate.atBins(math, b, x, bins, p.length, tau);
        } else {
            pos = uniformPositions(cfg.samples());
            next = MemoryUpdate.uniform(math, b, x, tau);
        }
        return new Step(next, null, tl.afterContraction(pos, tau, first, l, cfg.maxTimelineKnots()), null);
    }

    static double[] uniformPositions(int m) {
        double[] p = new double[m];
        for (int j = 0; j < m; j++) p[j] = (j + 1) / (double) m;
        return p;
    }
}
