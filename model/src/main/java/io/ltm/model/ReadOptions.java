package io.ltm.model;

/**
 * @param spans           how many attended spans (modes of the attention profile over t) to return, ≥ 1; also the
 *                        number of short-term hits returned
 * @param includeContext  return the context vector
 * @param includeShortTerm attend over the exact short-term buffer too
 * @param head            ZERO_SHOT (default) or TRAINED (needs {@link TrainedHeadWeights} on the engine)
 */
public record ReadOptions(int spans, boolean includeContext, boolean includeShortTerm, AttentionHeadKind head) {
    public ReadOptions {
        if (spans < 1) throw new IllegalArgumentException("spans must be >= 1");
        if (head == null) head = AttentionHeadKind.ZERO_SHOT;
    }

    public static ReadOptions defaults() {
        return new ReadOptions(1, false, true, AttentionHeadKind.ZERO_SHOT);
    }
}
