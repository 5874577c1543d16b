package io.ltm.model;

/**
 * The stretch of the stream that the second stage of a two-stage read re-reads for one attended span: at most
 * {@code budget} tokens centred on the token at the span's mode μ (not clipped to the span: a budget wider than the
 * span also reads its neighbourhood), within the memory's long-term tokens, with the true source range of those
 * tokens (the first record the first token may have come from, the last record the last token may have come from).
 * The memory says where to look; the log, re-read there, says exactly what was written.
 *
 * @param tokenStart first token of the stretch
 * @param tokenEnd   one past the last token of the stretch
 * @param from       earliest source record of the stretch ({@link TokenSource#UNKNOWN} when not known)
 * @param to         latest source record of the stretch ({@link TokenSource#UNKNOWN} when not known)
 */
public record RereadWindow(long tokenStart, long tokenEnd, TokenSource from, TokenSource to) {

    /** The window of {@code span} in {@code state}'s long-term tokens; null when there are none or budget ≤ 0. */
    public static RereadWindow of(Span span, MemoryState state, long budget) {
        Timeline t = state.timeline();
        long first = t.knotCount() == 0 ? 0 : Math.max(0, (long) Math.floor(t.knotToken(0)));
        return of(span, t, first, state.longTermTokens(), budget);
    }

    /**
     * The window of {@code span} in a memory whose long-term tokens are [{@code firstToken}, {@code endToken}), or
     * null when the memory has no long-term tokens or the budget is not positive.
     */
    public static RereadWindow of(Span span, Timeline timeline, long firstToken, long endToken, long budget) {
        if (budget <= 0 || endToken <= firstToken || timeline.knotCount() == 0) {
            return null;
        }
        double at = timeline.tokenAt(span.mu());
        long centre = Double.isNaN(at) ? (span.tokenStart() + span.tokenEnd()) / 2 : Math.round(at);
        long width = Math.min(budget, endToken - firstToken);
        long start = Math.max(firstToken, Math.min(centre - width / 2, endToken - width));
        long end = start + width;
        return new RereadWindow(start, end, timeline.sourceOf(start), timeline.lastSourceOf(end - 1));
    }

    /** Tokens in the window. */
    public long tokens() {
        return tokenEnd - tokenStart;
    }
}
