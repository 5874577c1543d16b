package io.ltm.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Bounded, monotone map from memory position t ∈ [0,1] to absolute token index (piecewise linear between knots,
 * clamped outside), plus a run-length map from absolute token index to the source record it came from.
 * Immutable. Updated at every contraction: the old map is composed with the sample positions (uniform j/M or the
 * sorted sticky draws, both refit at τ·j/M) and the new segment's tokens are placed at τ + (1-τ)·j/L; then the knots
 * are thinned (collinear knots dropped, then the knot whose removal changes the map least, until at most
 * {@code maxKnots} remain). Source segments beyond {@code maxSegments} are thinned among the oldest half, so old
 * token→source answers become approximate (they name a neighbouring record).
 */
public final class Timeline {
    private static final Timeline EMPTY = new Timeline(new double[0], new double[0], new long[0], new TokenSource[0]);
    private final double[] t;
    private final double[] tok;
    private final long[] segFirst;
    private final TokenSource[] segSource;

    Timeline(double[] t, double[] tok, long[] segFirst, TokenSource[] segSource) {
        this.t = t;
        this.tok = tok;
        this.segFirst = segFirst;
        this.segSource = segSource;
    }

    public static Timeline empty() { return EMPTY; }

    /** Rebuilds a timeline from its parts (for decoding); knots must be sorted by t. */
    public static Timeline of(double[] t, double[] tokenIndex, long[] segmentFirstToken, List<TokenSource> segmentSources) {
        if (t.length != tokenIndex.length || segmentFirstToken.length != segmentSources.size())
            throw new IllegalArgumentException("length mismatch");
        return new Timeline(t.clone(), tokenIndex.clone(), segmentFirstToken.clone(), segmentSources.toArray(new TokenSource[0]));
    }

    public int knotCount() { return t.length; }
    public double knotPosition(int i) { return t[i]; }
    public double knotToken(int i) { return tok[i]; }
    public int segmentCount() { return segFirst.length; }
    public long segmentFirstToken(int i) { return segFirst[i]; }
    public TokenSource segmentSource(int i) { return segSource[i]; }

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

    /** Source record of an absolute token index; {@link TokenSource#UNKNOWN} when none is known. */
    public TokenSource sourceOf(long tokenIndex) {
        int i = Arrays.binarySearch(segFirst, tokenIndex);
        if (i < 0) i = -i - 2;
        if (i < 0) return segFirst.length == 0 ? TokenSource.UNKNOWN : segSource[0];
        return segSource[i];
    }

    // ------------------------------------------------------------------ updates (package-private)

    /** Records that tokens from firstToken on come from src (no-op when src equals the last segment's source). */
    Timeline withSource(long firstToken, TokenSource src, int maxSegments) {
        int n = segFirst.length;
        int keep = n;
        while (keep > 0 && segFirst[keep - 1] >= firstToken) keep--;   // overwrite anything at or after firstToken
        if (keep > 0 && Objects.equals(segSource[keep - 1], src)) {
            if (keep == n) return this;
            return new Timeline(t, tok, Arrays.copyOf(segFirst, keep), Arrays.copyOf(segSource, keep));
        }
        long[] f = Arrays.copyOf(segFirst, keep + 1);
        TokenSource[] s = Arrays.copyOf(segSource, keep + 1);
        f[keep] = firstToken;
        s[keep] = src;
        if (f.length > maxSegments) {
            int half = f.length / 2;
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < f.length; i++) if (i >= half || i % 2 == 0) idx.add(i);
            long[] f2 = new long[idx.size()];
            TokenSource[] s2 = new TokenSource[idx.size()];
            for (int i = 0; i < idx.size(); i++) { f2[i] = f[idx.get(i)]; s2[i] = s[idx.get(i)]; }
            f = f2; s = s2;
        }
        return new Timeline(t, tok, f, s);
    }

    /** Drops sources of tokens ≥ firstToken (when the short-term buffer is replaced). */
    Timeline truncateSources(long firstToken) {
        int keep = segFirst.length;
        while (keep > 0 && segFirst[keep - 1] >= firstToken) keep--;
        if (keep == segFirst.length) return this;
        return new Timeline(t, tok, Arrays.copyOf(segFirst, keep), Arrays.copyOf(segSource, keep));
    }

    /** Fresh fit of tokens [first, first+L) at positions (j+½)/L. */
    Timeline afterFreshFit(long first, int l, int maxKnots) {
        double[] nt = {0.5 / l, 1 - 0.5 / l};
        double[] nk = {first, first + l - 1};
        return new Timeline(nt, nk, segFirst, segSource);
    }

    /**
     * Contraction: old samples at old positions s_j (sorted) are refit at τ·j/M; new tokens [first, first+L) at
     * τ + (1-τ)·j/L, j = 1..L.
     */
    Timeline afterContraction(double[] samplePositions, double tau, long first, int l, int maxKnots) {
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
        nt[k] = tau + (1 - tau) / l; nk[k] = Math.max(nk[k - 1], first); k++;
        nt[k] = 1.0; nk[k] = Math.max(nk[k - 1], first + l - 1); k++;
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
            if (!pts.isEmpty() && nt[i] <= pts.get(pts.size() - 1)[0]) continue;   // strictly increasing t
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
                if (err < bestErr) { bestErr = err; best = i; }
            }
            c.remove(best);
        }
        double[] rt = new double[c.size()], rk = new double[c.size()];
        for (int i = 0; i < c.size(); i++) { rt[i] = c.get(i)[0]; rk[i] = c.get(i)[1]; }
        return new Timeline(rt, rk, segFirst, segSource);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Timeline x && Arrays.equals(t, x.t) && Arrays.equals(tok, x.tok)
                && Arrays.equals(segFirst, x.segFirst) && Arrays.equals(segSource, x.segSource);
    }

    @Override public int hashCode() {
        return Objects.hash(Arrays.hashCode(t), Arrays.hashCode(tok), Arrays.hashCode(segFirst), Arrays.hashCode(segSource));
    }

    @Override public String toString() {
        return "Timeline{knots=" + t.length + ", segments=" + segFirst.length + "}";
    }
}
