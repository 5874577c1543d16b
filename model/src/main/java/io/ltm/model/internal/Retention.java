package io.ltm.model.internal;

import ai.djl.ndarray.NDArray;
import io.ltm.model.CoefficientDelta;
import io.ltm.model.MemoryConfig;
import io.ltm.model.Timeline;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;

/**
 * How a contraction shares the axis [0,1] between the old signal and L new token vectors: one class per policy
 * ({@link RecencyRetention}, {@link UniformRetention}), chosen by {@link MemoryConfig#retention()}.
 */
public interface Retention {

    /**
     * After one contraction: the new coefficients, or (coefficients null) the delta that B takes, the timeline, and
     * the sticky statistics still to be used.
     */
    record Step(NDArray coefficients, CoefficientDelta delta, Timeline timeline, double[] sticky) {}

    /**
     * False when the contraction of tokens [first, first + L) into a memory whose timeline is {@code timeline} only adds
     * a delta, which does not depend on B.
     */
    boolean readsCoefficients(long first, Timeline timeline);

    /**
     * Folds the L rows of x, tokens [first, first + L), into b.
     *
     * @param b           [N, d] coefficients; null before the first contraction, or when it does not read them
     * @param sticky      attention mass per bin of [0,1] accumulated by reads (may be null)
     * @param contraction index of this contraction (seeds random draws, so replays are identical)
     */
    Step contract(NDArray b, NDArray x, long first, Timeline timeline, double[] sticky, long contraction);

    /** The policy of cfg on the engine's device constants; random draws seeded per contraction come from random. */
    static Retention of(MemoryConfig cfg, DeviceMath math, LongFunction<RandomGenerator> random) {
        return switch (cfg.retention()) {
            case RECENCY -> new RecencyRetention(cfg, math, random);
            case UNIFORM -> new UniformRetention(cfg, math);
        };
    }
}
