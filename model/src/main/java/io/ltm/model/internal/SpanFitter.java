package io.ltm.model.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Top-k spans: fits one Gaussian to each of the k strongest modes of an attention profile given as masses of R equal
 * bins of [0,1]. Modes are local maxima; neighbouring maxima separated by a dip of less than 10% of the
 * highest peak are merged (a plateau is one mode); modes are ranked by the mass of their basin (bins split at the minima between neighbouring modes). The
 * region of a mode is the contiguous run of bins around it whose mass is at least 5% of the peak, cut at the minimum
 * between two selected modes; μ and σ² are the mass-weighted mean and variance of the bin centres in the region
 * (plus the bin width²/12), weight = region mass / total mass in [0,1]. Host-side O(R) per profile.
 */
public final class SpanFitter {
    private SpanFitter() {}
    /** Quantile of the density taken as the baseline (content unrelated to the query). */
    static final double BASELINE_QUANTILE = 0.1;

    /** {mu, sigma, weight} for up to k modes, strongest first (used for the TRAINED head's profile). */
    public static List<double[]> fit(double[] mass, int k) {
        int r = mass.length;
        double total = 0, top = 0;
        for (double v : mass) {
            total += Math.max(0, v);
            top = Math.max(top, v);
        }
        List<double[]> out = new ArrayList<>();
        if (!(total > 0)) return out;
        List<Integer> peaks = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            boolean leftOk = i == 0 || mass[i] > mass[i - 1];
            boolean rightOk = i == r - 1 || mass[i] >= mass[i + 1];
            if (leftOk && rightOk) peaks.add(i);
        }
        // merge neighbouring maxima separated by a shallow dip (less than 10% of the highest peak): one plateau
        boolean merged = true;
        while (merged && peaks.size() > 1) {
            merged = false;
            int best = -1;
            double bestDip = Double.POSITIVE_INFINITY;
            for (int c = 0; c + 1 < peaks.size(); c++) {
                int a = peaks.get(c), b = peaks.get(c + 1);
                double dip = Math.min(mass[a], mass[b]) - mass[argmin(mass, a, b)];
                if (dip < bestDip) {
                    bestDip = dip;
                    best = c;
                }
            }
            if (bestDip < 0.1 * top) {
                int a = peaks.get(best), b = peaks.get(best + 1);
                peaks.remove(mass[a] >= mass[b] ? best + 1 : best);
                merged = true;
            }
        }
        if (peaks.isEmpty()) {
            int am = 0;
            for (int i = 1; i < r; i++) if (mass[i] > mass[am]) am = i;
            peaks.add(am);
        }
        // rank candidate modes by the mass of their basin (bins split at the minimum between neighbouring candidates)
        double[] basin = new double[peaks.size()];
        for (int c = 0; c < peaks.size(); c++) {
            int lo = c == 0 ? 0 : argmin(mass, peaks.get(c - 1), peaks.get(c)) + 1;
            int hi = c == peaks.size() - 1 ? r - 1 : argmin(mass, peaks.get(c), peaks.get(c + 1));
            for (int i = lo; i <= hi; i++) basin[c] += Math.max(0, mass[i]);
        }
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < peaks.size(); c++) order.add(c);
        order.sort(Comparator.comparingDouble((Integer c) -> -basin[c]));
        List<Integer> ranked = new ArrayList<>();
        for (int c : order) ranked.add(peaks.get(c));
        peaks = ranked;
        List<Integer> sel = new ArrayList<>(peaks.subList(0, Math.min(k, peaks.size())));
        List<Integer> byPos = new ArrayList<>(sel);
        byPos.sort(Comparator.naturalOrder());
        for (int p : sel) {
            int idx = byPos.indexOf(p);
            int lo = 0, hi = r - 1;
            if (idx > 0) lo = argmin(mass, byPos.get(idx - 1), p) + 1;
            if (idx < byPos.size() - 1) hi = argmin(mass, p, byPos.get(idx + 1));
            double thr = 0.05 * mass[p];
            int a = p;
            while (a > lo && mass[a - 1] >= thr) a--;
            int b = p;
            while (b < hi && mass[b + 1] >= thr) b++;
            double w = 0, m1 = 0;
            for (int i = a; i <= b; i++) {
                double v = Math.max(0, mass[i]);
                w += v;
                m1 += v * (i + 0.5) / r;
            }
            if (!(w > 0)) continue;
            double mu = m1 / w, var = 0;
            for (int i = a; i <= b; i++) {
                double c = (i + 0.5) / r - mu;
                var += Math.max(0, mass[i]) * c * c;
            }
            var = var / w + 1.0 / (12.0 * r * r);
            out.add(new double[] {mu, Math.sqrt(var), w / total});
        }
        return out;
    }

    /**
     * Zero-shot spans: the k strongest separated modes of the attention profile over t.
     *
     * <p>{@code density[i]} is the attention density of bin i relative to what uniform attention over the basis gives
     * there (so that the half-covered edge bins at t = 0 and t = 1 are not penalised); {@code mass[i]} the attention
     * mass of bin i (for the weights). Steps: the baseline is the 10% quantile of the density (what content unrelated
     * to the query gets; a low quantile rather than the median, so that an answer covering most of the memory still
     * stands out: the retrieval bench scores the 10%, 25% and 50% quantiles alike); the excess e_i = max(0, density_i − baseline). Every local maximum of e is a
     * candidate whose region grows to both sides while e stays at least half its peak and does not exceed it (so a
     * higher neighbouring mode stops it; ripples on a plateau do not). Candidates are ranked by their excess mass in
     * the region and taken greedily, skipping those whose peak lies in an already taken region (overlapping regions are
     * cut at the taken one). μ, σ² = mean and variance of t over the region weighted by e (+ bin width²/12);
     * weight = attention mass of the region / total mass. When the profile is flat (no excess), one span covers the
     * whole profile (its mass-weighted mean and variance), as the old fitter did.
     *
     * @return {mu, sigma, weight} for up to k modes, strongest first
     */
    public static List<double[]> modes(double[] density, double[] mass, int k) {
        int r = density.length;
        double total = 0;
        for (double v : mass) total += Math.max(0, v);
        List<double[]> out = new ArrayList<>();
        if (!(total > 0) || k < 1) return out;
        double base = kthSmallest(density.clone(), (int) Math.floor(BASELINE_QUANTILE * (r - 1)));
        double[] e = new double[r];
        double top = 0;
        for (int i = 0; i < r; i++) {
            e[i] = Math.max(0, density[i] - base);
            top = Math.max(top, e[i]);
        }
        if (!(top > 1e-9 * Math.max(1e-30, Math.abs(base)))) {
            double w = 0, m1 = 0, m2 = 0;
            for (int i = 0; i < r; i++) {
                double v = Math.max(0, mass[i]), t = (i + 0.5) / r;
                w += v;
                m1 += v * t;
                m2 += v * t * t;
            }
            double mu = m1 / w;
            out.add(new double[] {mu, Math.sqrt(Math.max(0, m2 / w - mu * mu) + 1.0 / (12.0 * r * r)), 1.0});
            return out;
        }
        List<int[]> cand = new ArrayList<>(); // {peak, lo, hi}
        double[] masses = new double[r]; // the region mass of candidate c (at most one per bin)
        for (int i = 0; i < r; i++) {
            if (!(e[i] > 0)) continue;
            boolean left = i == 0 || e[i] > e[i - 1];
            boolean right = i == r - 1 || e[i] >= e[i + 1];
            if (!left || !right) continue;
            double thr = 0.5 * e[i];
            int a = i;
            while (a > 0 && e[a - 1] >= thr && e[a - 1] <= e[i]) a--;
            int b = i;
            while (b < r - 1 && e[b + 1] >= thr && e[b + 1] <= e[i]) b++;
            double m = 0;
            for (int j = a; j <= b; j++) m += e[j];
            cand.add(new int[] {i, a, b});
            masses[cand.size() - 1] = m;
        }
        // candidates strongest first (equal masses in order of position), taken one at a time: only a few are taken,
        // and sorting them all (boxed) cost as much as the rest of the fit
        masses = java.util.Arrays.copyOf(masses, cand.size());
        boolean[] tried = new boolean[masses.length];
        boolean[] taken = new boolean[r];
        while (out.size() < k) {
            int c = Strongest.untried(masses, tried);
            if (c < 0) break;
            tried[c] = true;
            int[] cd = cand.get(c);
            int p = cd[0];
            if (taken[p]) continue;
            int a = p;
            while (a > cd[1] && !taken[a - 1]) a--;
            int b = p;
            while (b < cd[2] && !taken[b + 1]) b++;
            double w = 0, m1 = 0, wm = 0;
            for (int i = a; i <= b; i++) {
                w += e[i];
                m1 += e[i] * (i + 0.5) / r;
                wm += Math.max(0, mass[i]);
                taken[i] = true;
            }
            double mu = m1 / w, var = 0;
            for (int i = a; i <= b; i++) {
                double t = (i + 0.5) / r - mu;
                var += e[i] * t * t;
            }
            var = var / w + 1.0 / (12.0 * r * r);
            out.add(new double[] {mu, Math.sqrt(var), wm / total});
        }
        return out;
    }

    /**
     * The k-th smallest of a (0-based; a is reordered): Hoare's selection, linear on average. A read needs one quantile
     * of a few hundred bins, and sorting them was a tenth of a single read's time. The values must not be NaN (a
     * profile's densities are finite): plain comparisons, where {@code Double.compare} was a fifth of the selection.
     */
    static double kthSmallest(double[] a, int k) {
        int lo = 0, hi = a.length - 1;
        while (lo < hi) {
            double pivot = a[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    double t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }

    /**
     * A zero-shot profile is the attention over the basis centres blurred by the basis densities, which widens every
     * mode by their mean variance σ̄² = mean(σ_k²); a span reports where the attention went: σ² − σ̄², at least half
     * the spacing of the centres (the resolution of the memory).
     */
    public static List<double[]> withoutBasisBlur(List<double[]> fits, Basis basis) {
        double[] widths = basis.widths();
        double blur = 0;
        for (double w : widths) blur += w * w;
        blur /= widths.length;
        int centres = basis.size() / widths.length;
        double floor = (centres > 1 ? 1.0 / (centres - 1) : 1.0) / 2;
        List<double[]> out = new ArrayList<>(fits.size());
        for (double[] f : fits)
            out.add(new double[] {f[0], Math.sqrt(Math.max(f[1] * f[1] - blur, floor * floor)), f[2]});
        return out;
    }

    private static int argmin(double[] m, int from, int to) {
        int best = from;
        for (int i = from; i <= to; i++) if (m[i] < m[best]) best = i;
        return best;
    }
}
