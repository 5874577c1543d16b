package io.ltm.model;

/**
 * One attended stretch of the long-term memory: a Gaussian N(mu, sigma²) on the memory axis t ∈ [0,1].
 *
 * @param score  cosine similarity between the pooled query and the memory's content under this Gaussian,
 *               c = Bᵀ E_{N(mu,sigma²)}[ψ] = E[X̄(t)] (the expected reconstructed vector); in [-1, 1]
 * @param weight fraction of the read's attention mass (over [0,1]) that belongs to this mode
 * @param tokenStart first absolute token index covered by [mu-sigma, mu+sigma] (through the timeline)
 * @param tokenEnd   last absolute token index covered (inclusive)
 */
public record Span(
        double mu,
        double sigma,
        double score,
        double weight,
        long tokenStart,
        long tokenEnd,
        TokenSource from,
        TokenSource to) {}
