package io.ltm.model;

import io.ltm.model.internal.ExpectedPsi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Places a read's spans where the memory's {@link TermFilter} found the query's terms, and has the continuous memory
 * rank them: each candidate segment becomes a Gaussian N(μ, σ²) over its stretch of t, its score the cosine between
 * the query and the memory's content under it, c = Bᵀ E_{N(μ,σ²)}[ψ], as for any span.
 *
 * <ol>
 *   <li>When the words do not discriminate ({@link #DISCRIMINATING}), the continuous attention's spans are the
 *       answer, as for a read without texts.
 *   <li>Otherwise the segments at the centres of the continuous attention's spans that are as sharp as a segment and
 *       where the words are too ({@link #AGREEMENT}) come first;
 *   <li>then segments, and boundaries where an event's terms are split between two segments (a span as wide as a
 *       segment, centred on the boundary), ranked by term match, ties by that score;
 *   <li>the continuous attention's own spans fill the rest.
 * </ol>
 *
 * Every span carries the term match of what it covers.
 *
 * <p>Why: at a million tokens one basis function averages thousands of tokens and the attention alone no longer
 * finds a sentence (docs/bench-recall/NOTES.md); the filter still knows which stretch held its words, and the
 * continuous memory still says what that stretch was about.
 */
final class TermGuide {
    /** Candidates scored by the memory per span asked for: enough to break ties among equally matching segments. */
    private static final int CANDIDATES_PER_SPAN = 4;

    /**
     * The words say where when the best segment's match stands at least this share of itself above the median
     * segment's (at 0.5: the best holds twice the median's share of the query): a rare word in one place, a keyword
     * query. Below it, as for a paraphrase made of words found everywhere or in a saturated filter, the continuous
     * attention's own spans answer, as they do without texts (measured: ./ltm bench retrieval, with and without
     * the questions' texts).
     */
    private static final double DISCRIMINATING = 0.5;

    /**
     * An attention span agrees with the words when the segment at its centre matches at least this share of the best
     * segment's match. Measured: at 0.5 look-alike lines (another CVE id, the same words around it) passed; at 0.75
     * and above MiniLM's paraphrased questions lost their right answers to the segments (./ltm bench retrieval).
     */
    private static final double AGREEMENT = 0.6;

    private final ExpectedPsi psi;
    private final int dim;

    TermGuide(ExpectedPsi psi, int dim) {
        this.psi = psi;
        this.dim = dim;
    }

    /** The read's spans, guided by the query's terms; {@code attended} (the continuous attention's spans) otherwise. */
    List<Span> spans(MemoryState s, float[] q, List<String> queryTokens, int k, List<Span> attended) {
        TermFilter f = s.terms();
        if (f == null || queryTokens == null || !s.hasLongTerm()) return attended;
        TermFilter.Match match = f.match(queryTokens);
        double[] seg = match.segments(), edge = match.boundaries();
        if (seg.length == 0) return attended;
        double best = Math.max(
                Arrays.stream(seg).max().orElse(0), Arrays.stream(edge).max().orElse(0));
        List<Span> out = new ArrayList<>(k);
        if (best <= 0 || median(seg) > best * (1 - DISCRIMINATING)) {
            // the words are everywhere (or nowhere): they do not say where, the memory's content does
            for (Span x : attended) out.add(x.withTermMatch(coveredMatch(f, seg, x)));
            return out;
        }
        long lt = s.longTermTokens(), c = f.segmentTokens();
        // candidates: segments, and boundaries whose two sides together match better than either, as one list of
        // (score, index): index i < seg.length is segment i, seg.length + i the boundary after segment i
        int n = seg.length + edge.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(
                order, Comparator.comparingDouble((Integer i) -> -(i < seg.length ? seg[i] : edge[i - seg.length])));
        List<Span> found = new ArrayList<>();
        for (int j = 0; j < n && found.size() < CANDIDATES_PER_SPAN * k; j++) {
            int i = order[j];
            double m = i < seg.length ? seg[i] : edge[i - seg.length];
            // a straddling event holds the boundary token: the span is one segment wide, centred on the boundary
            long a = i < seg.length ? f.segmentStart(i) : f.segmentStart(i - seg.length + 1) - c / 2;
            if (m <= 0 || a >= lt) continue;
            found.add(segmentSpan(s, a, Math.min(lt, a + c) - 1, q, m));
        }
        found.sort(Comparator.comparingDouble(Span::termMatch)
                .thenComparingDouble(Span::score)
                .reversed());
        // the segments at the centres of the attention's own spans that are as sharp as the segments (at most two
        // wide) and hold the words about as well as the best segment come first: there the two kinds of evidence
        // agree, the attention says which of the matching places, the segment where its words are. In a long stream
        // the attention's spans are far wider than a segment, and the segments lead by their match
        List<Span> agreed = new ArrayList<>();
        for (Span x : attended) {
            int at = (int) Math.min(seg.length - 1, (x.tokenStart() + x.tokenEnd()) / 2 / c);
            long a = f.segmentStart(at);
            boolean sharp = x.tokenEnd() - x.tokenStart() < 2 * c;
            if (sharp && seg[at] >= best * AGREEMENT && a < lt)
                agreed.add(segmentSpan(s, a, Math.min(lt, a + c) - 1, q, seg[at]));
        }
        for (Span x : agreed) if (out.size() < k && noneOverlaps(out, x)) out.add(x);
        // then the segments (a segment and a boundary beside it may overlap: both are kept, either may hold the event)
        for (Span x : found) if (out.size() < k && noneOverlaps(agreed, x)) out.add(x);
        for (Span x : attended)
            if (out.size() < k && noneOverlaps(out, x)) out.add(x.withTermMatch(coveredMatch(f, seg, x)));
        return out;
    }

    private Span segmentSpan(MemoryState s, long a, long b, float[] q, double match) {
        Timeline tl = s.timeline();
        double ta = tl.positionOf(a), tb = tl.positionOf(b + 1.0);
        double mu = (ta + tb) / 2, sigma = Math.max(0, (tb - ta) / 2);
        float[] r = psi.expected(mu, sigma * sigma);
        float[] coef = s.coefficientsRef();
        double[] c = new double[dim];
        for (int n = 0; n < r.length; n++) {
            if (r[n] == 0) continue;
            for (int j = 0; j < dim; j++) c[j] += r[n] * coef[n * dim + j];
        }
        double qc = 0, qq = 0, cc = 0;
        for (int j = 0; j < dim; j++) {
            qc += q[j] * c[j];
            qq += q[j] * (double) q[j];
            cc += c[j] * c[j];
        }
        double cos = qc / Math.max(1e-30, Math.sqrt(qq * cc));
        return new Span(mu, sigma, cos, 0, a, b, tl.sourceOf(a), tl.lastSourceOf(b), match);
    }

    private static boolean noneOverlaps(List<Span> spans, Span x) {
        return spans.stream().noneMatch(y -> x.tokenStart() <= y.tokenEnd() && y.tokenStart() <= x.tokenEnd());
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    /** The best match among the segments that a span's tokens fall in. */
    private static double coveredMatch(TermFilter f, double[] match, Span x) {
        int from = (int) Math.min(match.length - 1, x.tokenStart() / f.segmentTokens());
        int to = (int) Math.min(match.length - 1, x.tokenEnd() / f.segmentTokens());
        double best = 0;
        for (int i = from; i <= to; i++) best = Math.max(best, match[i]);
        return best;
    }
}
