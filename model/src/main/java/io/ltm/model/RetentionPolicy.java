package io.ltm.model;

/**
 * How the long-term memory shares the axis [0,1] between old and new content at a contraction.
 *
 * <ul>
 *   <li>{@link #RECENCY}: fixed τ as in the paper. The old signal is squeezed into [0,τ] and the L new vectors
 *   fill [τ,1]. A segment absorbed k contractions ago occupies [0,τ^k]: old content loses resolution
 *   geometrically (after about log(N/S)/log(1/τ) contractions it is covered by fewer than one basis centre),
 *   recent content is sharp. Good for "what happened lately" questions.</li>
 *   <li>{@link #UNIFORM}: τ is chosen from token counts, τ = n_old/(n_old+L), so every token ever absorbed keeps an
 *   equal share 1/n of the axis. Nothing is forgotten faster than anything else, but everything blurs together
 *   once n exceeds the resolution of the basis (≈ N/S centres): after many contractions a new segment gets only
 *   (1-τ) ≈ L/n of the axis, i.e. a handful of centres, so recent content is as coarse as old content. τ is
 *   rounded to 1/64 and clamped to [1/64, 63/64] so that only a bounded set of ridge matrices is ever cached.</li>
 * </ul>
 * Either policy combines with sticky sampling, which changes where the old signal is sampled, not τ.
 */
public enum RetentionPolicy { RECENCY, UNIFORM }
