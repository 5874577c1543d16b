package io.ltm.model;

/**
 * How the long-term memory shares the axis [0,1] between old and new content; each mode is one class behind
 * {@code io.ltm.model.internal.Retention}.
 *
 * <ul>
 *   <li>{@link #RECENCY}: the paper's update with a fixed τ. The old signal is squeezed into [0,τ] and the L new
 *   vectors fill [τ,1]. A segment absorbed k contractions ago occupies [0,τ^k]: old content loses resolution
 *   geometrically, recent content is sharp. Good for "what happened lately" questions.</li>
 *   <li>{@link #UNIFORM}: every token ever absorbed keeps an equal share of the axis at any stream length. Ridge
 *   statistics accumulate in place on a fixed grid and the old signal is resampled only when the stream doubles, so a
 *   token's content is refit log₂(n/L) times, not n/L times; the timeline is exact (linear within an epoch).
 *   Resolution is that of the basis: about n/(N/S) tokens per centre.</li>
 * </ul>
 * Either policy combines with sticky memories: recency samples where reads attended at every contraction, uniform
 * gives where reads attended more of the axis at the next doubling.
 */
public enum RetentionPolicy {
    RECENCY,
    UNIFORM
}
