package io.ltm.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Bounded, monotone map from memory position t ∈ [0,1] to absolute token index (piecewise linear between knots,
 * clamped outside), plus a run-length map from absolute token index to the source records it came from.
 * Immutable. Updated at every contraction by the retention policy (recency: the old map is composed with the sample
 * positions refit at τ·j/M and the new tokens are placed at τ + (1-τ)·j/L; uniform: new tokens are appended on a
 * linear grid and a doubling composes the map with its warp); then the knots are thinned (collinear knots dropped,
 * then the knot whose removal changes the map least, until at most {@code maxKnots} remain).
 *
 * <p>Source segments: tokens from a segment's first token on came from the records between its first and last
 * source (one record unless merged). Beyond {@code maxSegments} the two adjacent segments of one topic-partition that
 * cover the fewest tokens are merged into one whose range spans both: an old answer widens, it never names a record
 * the token did not come from.
 */
public final class Timeline {
    private static final Timeline EMPTY =
            new Timeline(new double[0], new double[0], new long[0], new TokenSource[0], new TokenSource[0]);
    private final double[] t;
    private final double[] tok;
    private final long[] segFirst;
    private final TokenSource[] segSource;
    private final TokenSource[] segLast;

    Timeline(double[] t, double[] tok, long[] segFirst, TokenSource[] segSource, TokenSource[] segLast) {
        this.t = t;
        this.tok = tok;
        this.segFirst = segFirst;
        this.segSource = segSource;
        this.segLast = segLast;
    }

    public static Timeline empty() {
        return EMPTY;
    }

    /**
     * Rebuilds a timeline from its parts (for decoding); knots must be sorted by t. segmentLastSources may be null
     * (or hold nulls) for segments of one record.
     */
    public static Timeline of(
            double[] t,
            double[] tokenIndex,
            long[] segmentFirstToken,
            List<TokenSource> segmentSources,
            List<TokenSource> segmentLastSources) {
        if (t.length != tokenIndex.length
                || segmentFirstToken.length != segmentSources.size()
                || (segmentLastSources != null && segmentLastSources.size() != segmentSources.size()))
            throw new IllegalArgumentException("length mismatch");
        TokenSource[] first = segmentSources.toArray(new TokenSource[0]);
        TokenSource[] last = first.clone();
        for (int i = 0; segmentLastSources != null && i < last.length; i++) {
            if (segmentLastSources.get(i) != null) last[i] = segmentLastSources.get(i);
        }
        return new Timeline(t.clone(), tokenIndex.clone(), segmentFirstToken.clone(), first, last);
    }

    public int knotCount() {
        return t.length;
    }

    public double knotPosition(int i) {
        return t[i];
    }

    public double knotToken(int i) {
        return tok[i];
    }

    public int segmentCount() {
        return segFirst.length;
    }

    public long segmentFirstToken(int i) {
        return segFirst[i];
    }
    /** The first source record of segment i. */
    public TokenSource segmentSource(int i) {
        return segSource[i];
    }
    /** The last source record of segment i (the first one unless segments were merged). */
    public TokenSource segmentLastSource(int i) {
        return segLast[i];
    }

    /** Absolute token index (fractional) at memory position t; NaN when there is no long-term content. */
    public double tokenAt(double pos) {
        int n = t.length;
        if (n == 0) return Double.NaN;
        if (pos <= t[0]) return tok[0];
        if (pos >= t[n - 1]) return tok[n - 1];
        int i = Arrays.binarySearch(t, pos);
        if (i >= 0) return tok[i];
        i = -i - 1;
        double f = (pos - t[i - 1]) / (t[i] - t[i - 1]);
        return tok[i - 1] + f * (tok[i] - tok[i - 1]);
    }

    /** The end of the content on [0, 1]: the last knot's position (below 1 while a uniform epoch fills up), else 1. */
    public double filledUpTo() {
        return t.length == 0 ? 1.0 : t[t.length - 1];
    }

    /**
     * The capacity l·2^k of the uniform epoch the last appended tokens went into ({@link #afterAppend} placed token i
     * at (i + ½)/capacity, and the last knot is always that of the last token appended), or 0 when empty.
     */
    public long epochCapacity(int l) {
        if (t.length == 0) return 0;
        double c = (tok[tok.length - 1] + 0.5) / t[t.length - 1];
        return (long) l << Math.max(0, Math.round(Math.log(c / l) / Math.log(2)));
    }

    /** Smallest memory position whose token index is ≥ tokenIndex (inverse of {@link #tokenAt}); NaN if empty. */
    public double positionOf(double tokenIndex) {
        int n = t.length;
        if (n == 0) return Double.NaN;
        if (tokenIndex <= tok[0]) return t[0];
        if (tokenIndex >= tok[n - 1]) return t[n - 1];
        for (int i = 1; i < n; i++) {
            if (tok[i] >= tokenIndex) {
                if (tok[i] == tok[i - 1]) return t[i - 1];
                return t[i - 1] + (tokenIndex - tok[i - 1]) / (tok[i] - tok[i - 1]) * (t[i] - t[i - 1]);
            }
        }
        return t[n - 1];
    }

    /**
     * The earliest source record that token tokenIndex may have come from (exact unless its segment was merged);
     * {@link TokenSource#UNKNOWN} when none is known.
     */
    public TokenSource sourceOf(long tokenIndex) {
        int i = segmentOf(tokenIndex);
        return i < 0 ? TokenSource.UNKNOWN : segSource[i];
    }

    /** The latest source record that token tokenIndex may have come from; with {@link #sourceOf} a true range. */
    public TokenSource lastSourceOf(long tokenIndex) {
        int i = segmentOf(tokenIndex);
        return i < 0 ? TokenSource.UNKNOWN : segLast[i];
    }

    private int segmentOf(long tokenIndex) {
        int i = Arrays.binarySearch(segFirst, tokenIndex);
        if (i < 0) i = -i - 2;
        if (i < 0) return segFirst.length == 0 ? -1 : 0;
        return i;
    }

    // ------------------------------------------------------------------ updates (package-private)

    /** Records that tokens from firstToken on come from src (no-op when src equals the last segment's source). */
    Timeline withSource(long firstToken, TokenSource src, int maxSegments) {
        int n = segFirst.length;
        int keep = n;
        while (keep > 0 && segFirst[keep - 1] >= firstToken) keep--; // overwrite anything at or after firstToken
        if (keep > 0 && Objects.equals(segSource[keep - 1], src) && Objects.equals(segLast[keep - 1], src)) {
            if (keep == n) return this;
            return new Timeline(
                    t,
                    tok,
                    Arrays.copyOf(segFirst, keep),
                    Arrays.copyOf(segSource, keep),
                    Arrays.copyOf(segLast, keep));
        }
        long[] f = Arrays.copyOf(segFirst, keep + 1);
        TokenSource[] s = Arrays.copyOf(segSource, keep + 1);
        TokenSource[] e = Arrays.copyOf(segLast, keep + 1);
        f[keep] = firstToken;
        s[keep] = src;
        e[keep] = src;
        int len = f.length;
        while (len > maxSegments) {
            int i = cheapestMerge(f, s, len);
            boolean samePartition =
                    Objects.equals(s[i].topic(), e[i + 1].topic()) && s[i].partition() == e[i + 1].partition();
            if (!samePartition) {
                s[i] = TokenSource.UNKNOWN;
                e[i] = TokenSource.UNKNOWN;
            } else e[i] = e[i + 1];
            System.arraycopy(f, i + 2, f, i + 1, len - i - 2);
            System.arraycopy(s, i + 2, s, i + 1, len - i - 2);
            System.arraycopy(e, i + 2, e, i + 1, len - i - 2);
            len--;
        }
        return new Timeline(t, tok, Arrays.copyOf(f, len), Arrays.copyOf(s, len), Arrays.copyOf(e, len));
    }

    /**
     * Records that token firstToken + i came from sources.get(i), for every i, without merging: what withSource does
     * token by token with no bound, in one copy of the segments (a short-term buffer of 511 tokens from 16 events over
     * a long stream's 1,024 segments: 16 copies of them, token by token).
     */
    Timeline withSources(long firstToken, List<TokenSource> sources) {
        Timeline t0 = truncateSources(firstToken);
        int n = t0.segFirst.length;
        TokenSource lastSrc = n == 0 ? null : t0.segSource[n - 1], lastEnd = n == 0 ? null : t0.segLast[n - 1];
        long[] f = null;
        TokenSource[] s = null;
        int len = n;
        for (int i = 0; i < sources.size(); i++) {
            TokenSource src = sources.get(i);
            if (len > 0 && Objects.equals(lastSrc, src) && Objects.equals(lastEnd, src)) continue;
            if (f == null) {
                f = Arrays.copyOf(t0.segFirst, n + sources.size());
                s = Arrays.copyOf(t0.segSource, n + sources.size());
            }
            f[len] = firstToken + i;
            s[len] = src;
            len++;
            lastSrc = src;
            lastEnd = src;
        }
        if (f == null) return t0;
        TokenSource[] e = Arrays.copyOf(t0.segLast, len);
        System.arraycopy(s, n, e, n, len - n); // appended segments are of one record each
        return new Timeline(t0.t, t0.tok, Arrays.copyOf(f, len), Arrays.copyOf(s, len), e);
    }

    /**
     * The segment i to merge with i + 1: the pair covering the fewest tokens, among pairs of one topic-partition when
     * there are any (so a merged range stays a range of offsets). The open last segment is never merged.
     */
    private static int cheapestMerge(long[] f, TokenSource[] s, int len) {
        int best = -1;
        long bestTokens = Long.MAX_VALUE;
        boolean bestSame = false;
        for (int i = 0; i + 2 < len; i++) {
            boolean same = Objects.equals(s[i].topic(), s[i + 1].topic()) && s[i].partition() == s[i + 1].partition();
            long tokens = f[i + 2] - f[i];
            if ((same && !bestSame) || (same == bestSame && tokens < bestTokens)) {
                best = i;
                bestTokens = tokens;
                bestSame = same;
            }
        }
        return Math.max(best, 0);
    }

    /** Drops sources of tokens ≥ firstToken (when the short-term buffer is replaced). */
    Timeline truncateSources(long firstToken) {
        int keep = segFirst.length;
        while (keep > 0 && segFirst[keep - 1] >= firstToken) keep--;
        if (keep == segFirst.length) return this;
        return new Timeline(
                t, tok, Arrays.copyOf(segFirst, keep), Arrays.copyOf(segSource, keep), Arrays.copyOf(segLast, keep));
    }

    /** Fresh fit of tokens [first, first+L) at positions (j+½)/L. */
    public Timeline afterFreshFit(long first, int l, int maxKnots) {
        double[] nt = {0.5 / l, 1 - 0.5 / l};
        double[] nk = {first, first + l - 1};
        return new Timeline(nt, nk, segFirst, segSource, segLast);
    }

    /** Tokens [first, first + l) appended at t = (i + ½)/capacity (uniform retention). */
    public Timeline afterAppend(long first, int l, long capacity, int maxKnots) {
        int n = t.length;
        double[] nt = Arrays.copyOf(t, n + 2), nk = Arrays.copyOf(tok, n + 2);
        nt[n] = (first + 0.5) / capacity;
        nk[n] = first;
        nt[n + 1] = (first + l - 0.5) / capacity;
        nk[n + 1] = first + l - 1;
        return thin(nt, nk, n + 2, maxKnots);
    }

    /**
     * A doubling of uniform retention: the old signal read at s_j (sorted) is refit at u_j, so old position x moves
     * to the piecewise-linear warp through (0, 0), (s_j, u_j) and (1, ½).
     */
    public Timeline afterWarp(double[] s, double[] u, int maxKnots) {
        int m = s.length;
        double[] ws = new double[m + 2], wu = new double[m + 2];
        ws[m + 1] = 1;
        wu[m + 1] = 0.5;
        System.arraycopy(s, 0, ws, 1, m);
        System.arraycopy(u, 0, wu, 1, m);
        int n = t.length;
        double[] nt = new double[n + m], nk = new double[n + m];
        int k = 0;
        int j = 0;
        for (int i = 0; i < n; i++) {
            // the samples before this knot, then the knot itself: all points of the composed map, in order
            while (j < m && s[j] < t[i]) {
                nt[k] = u[j];
                nk[k] = tokenAt(s[j]);
                k++;
                j++;
            }
            nt[k] = interpolate(ws, wu, t[i]);
            nk[k] = tok[i];
            k++;
        }
        // samples past the last knot are clamped to its token: they add no information
        return thin(nt, nk, k, maxKnots);
    }

    private static double interpolate(double[] xs, double[] ys, double x) {
        int i = Arrays.binarySearch(xs, x);
        if (i >= 0) return ys[i];
        i = -i - 1;
        if (i <= 0) return ys[0];
        if (i >= xs.length) return ys[xs.length - 1];
        return ys[i - 1] + (x - xs[i - 1]) / (xs[i] - xs[i - 1]) * (ys[i] - ys[i - 1]);
    }

    /**
     * Contraction: old samples at old positions s_j (sorted) are refit at τ·j/M; new tokens [first, first+L) at
     * τ + (1-τ)·j/L, j = 1..L.
     */
    public Timeline afterContraction(double[] samplePositions, double tau, long first, int l, int maxKnots) {
        int m = samplePositions.length;
        double[] nt = new double[m + 3];
        double[] nk = new double[m + 3];
        int k = 0;
        // position 0 of the new memory: old position 0 for uniform sampling (t -> τt), else the first sample
        nt[k] = 0;
        nk[k] = isUniform(samplePositions) ? tokenAt(0.0) : tokenAt(samplePositions[0]);
        k++;
        for (int j = 1; j <= m; j++) {
            nt[k] = tau * j / m;
            nk[k] = Math.max(nk[k - 1], tokenAt(samplePositions[j - 1]));
            k++;
        }
        nt[k] = tau + (1 - tau) / l;
        nk[k] = Math.max(nk[k - 1], first);
        k++;
        nt[k] = 1.0;
        nk[k] = Math.max(nk[k - 1], first + l - 1);
        k++;
        return thin(nt, nk, k, maxKnots);
    }

    private static boolean isUniform(double[] s) {
        int m = s.length;
        for (int j = 0; j < m; j++) if (Math.abs(s[j] - (j + 1) / (double) m) > 1e-12) return false;
        return true;
    }

    private Timeline thin(double[] nt, double[] nk, int n, int maxKnots) {
        List<double[]> pts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (!pts.isEmpty() && nt[i] <= pts.get(pts.size() - 1)[0]) continue; // strictly increasing t
            pts.add(new double[] {nt[i], nk[i]});
        }
        // drop collinear interior knots
        List<double[]> c = new ArrayList<>(pts.size());
        for (int i = 0; i < pts.size(); i++) {
            if (i > 0 && i < pts.size() - 1 && c.size() > 0) {
                double[] a = c.get(c.size() - 1), b = pts.get(i), d = pts.get(i + 1);
                double interp = a[1] + (b[0] - a[0]) / (d[0] - a[0]) * (d[1] - a[1]);
                if (Math.abs(interp - b[1]) <= 1e-9 * Math.max(1, Math.abs(b[1]))) continue;
            }
            c.add(pts.get(i));
        }
        // remove the knot with the smallest interpolation error until bounded (Visvalingam-like)
        while (c.size() > maxKnots) {
            int best = -1;
            double bestErr = Double.POSITIVE_INFINITY;
            for (int i = 1; i < c.size() - 1; i++) {
                double[] a = c.get(i - 1), b = c.get(i), d = c.get(i + 1);
                double interp = a[1] + (b[0] - a[0]) / (d[0] - a[0]) * (d[1] - a[1]);
                double err = Math.abs(interp - b[1]) * (d[0] - a[0]);
                if (err < bestErr) {
                    bestErr = err;
                    best = i;
                }
            }
            c.remove(best);
        }
        double[] rt = new double[c.size()], rk = new double[c.size()];
        for (int i = 0; i < c.size(); i++) {
            rt[i] = c.get(i)[0];
            rk[i] = c.get(i)[1];
        }
        return new Timeline(rt, rk, segFirst, segSource, segLast);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Timeline x
                && Arrays.equals(t, x.t)
                && Arrays.equals(tok, x.tok)
                && Arrays.equals(segFirst, x.segFirst)
                && Arrays.equals(segSource, x.segSource)
                && Arrays.equals(segLast, x.segLast);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                Arrays.hashCode(t),
                Arrays.hashCode(tok),
                Arrays.hashCode(segFirst),
                Arrays.hashCode(segSource),
                Arrays.hashCode(segLast));
    }

    @Override
    public String toString() {
        return "Timeline{knots=" + t.length + ", segments=" + segFirst.length + "}";
    }
}
