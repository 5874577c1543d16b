package io.ltm.model;

/**
 * One attended stretch of the long-term memory: a Gaussian N(mu, sigma²) on the memory axis t ∈ [0,1].
 *
 * @param score  cosine similarity between the pooled query and the memory's content under this Gaussian,
 *               c = Bᵀ E_{N(mu,sigma²)}[ψ] = E[X̄(t)] (the expected reconstructed vector); in [-1, 1]
 * @param weight fraction of the read's attention mass (over [0,1]) that belongs to this mode (0 for a span placed by
 *               the term filter)
 * @param tokenStart first absolute token index covered by [mu-sigma, mu+sigma] (through the timeline)
 * @param tokenEnd   last absolute token index covered (inclusive)
 * @param termMatch  the best {@link TermFilter} match score in [0, 1] of the segments this span covers: the
 *                   inverse-document-frequency-weighted share of the query's terms found there; -1 when the read had
 *                   no query terms or the memory keeps no term filter
 */
public record Span(
        double mu,
        double sigma,
        double score,
        double weight,
        long tokenStart,
        long tokenEnd,
        TokenSource from,
        TokenSource to,
        double termMatch) {

    /** A span without a term match (-1). */
    public Span(
            double mu,
            double sigma,
            double score,
            double weight,
            long tokenStart,
            long tokenEnd,
            TokenSource from,
            TokenSource to) {
        this(mu, sigma, score, weight, tokenStart, tokenEnd, from, to, -1);
    }

    /**
     * The span of a fitted Gaussian {mu, sigma, weight} of the state's memory axis, with its tokens and sources through
     * the state's timeline (clamped to the long-term tokens).
     */
    static Span of(MemoryState s, double[] f, double score) {
        Timeline tl = s.timeline();
        long maxTok = Math.max(0, s.longTermTokens() - 1);
        double a = tl.tokenAt(f[0] - f[1]), b = tl.tokenAt(f[0] + f[1]);
        long start = Double.isNaN(a) ? 0 : Math.max(0, Math.min(maxTok, (long) Math.floor(a)));
        long end = Double.isNaN(b) ? maxTok : Math.max(start, Math.min(maxTok, (long) Math.ceil(b)));
        return new Span(f[0], f[1], score, f[2], start, end, tl.sourceOf(start), tl.lastSourceOf(end));
    }

    /** The same span with this term match. */
    public Span withTermMatch(double match) {
        return new Span(mu, sigma, score, weight, tokenStart, tokenEnd, from, to, match);
    }
}
