package io.ltm.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Where in the stream a term occurred, in fixed bytes: one Bloom filter of the terms (token texts) of each segment of
 * the stream. Segments cover equal numbers of tokens (a power of two); when all {@code segments} are in use,
 * neighbouring pairs are merged by OR and the segment length doubles, so every token keeps an equal share of the filter at any length (the
 * discrete counterpart of uniform retention) and a term's bits are merged O(log n) times.
 *
 * <p>Why beside the continuous memory: a basis function averages thousands of tokens at a million tokens, so a
 * sentence among them moves the memory's keys by a few percent, below the spread of everything else along the query
 * (measured in docs/bench-recall/NOTES.md). A Bloom filter has no false negatives: a segment that held a term always
 * says so, however old; only the false-positive rate grows as merged segments fill (k hashes over m bits hold about
 * m·ln2/k distinct terms at a rate of 2^-k).
 *
 * <p>Match score of a segment for a query: the inverse-document-frequency-weighted share of the query's distinct terms
 * it contains, where a term's document frequency is the number of segments that contain it (false positives
 * included, so a saturated filter weighs itself down). A term found in no segment still counts in the denominator:
 * a question about things the stream never held scores near 0. Tokens are indexed one by one, so an event that
 * straddles a segment boundary has its terms split between two segments: the boundary scores the union of the two.
 *
 * <p>Immutable; {@link Builder} adds terms. Hashing is deterministic across JVMs and releases (FNV-1a 64 over the
 * normalised term's chars, then SplitMix64; k positions by double hashing).
 */
public final class TermFilter {
    private final int segments;
    private final int segmentBits;
    private final int hashes;
    private final long segmentTokens;
    private final int used;
    private final long[] bits;

    private TermFilter(int segments, int segmentBits, int hashes, long segmentTokens, int used, long[] bits) {
        this.segments = segments;
        this.segmentBits = segmentBits;
        this.hashes = hashes;
        this.segmentTokens = segmentTokens;
        this.used = used;
        this.bits = bits;
    }

    /**
     * An empty filter of {@code segments} segments of {@code segmentBits} bits, the first ones {@code firstTokens}
     * long. Segments double as the stream grows, so a segment covers the larger of {@code firstTokens} and the
     * smallest power-of-two multiple of it that fits the stream into {@code segments} segments.
     */
    public static TermFilter empty(int segments, int segmentBits, int hashes, long firstTokens) {
        check(segments, segmentBits, hashes, firstTokens, 0);
        return new TermFilter(
                segments, segmentBits, hashes, firstTokens, 0, new long[segments * (segmentBits / Long.SIZE)]);
    }

    /** Rebuilds a filter from its parts (for decoding); {@code bits} holds {@code segments·segmentBits/64} words. */
    public static TermFilter of(int segments, int segmentBits, int hashes, long segmentTokens, int used, long[] bits) {
        check(segments, segmentBits, hashes, segmentTokens, used);
        if (bits.length != segments * (segmentBits / Long.SIZE))
            throw new IllegalArgumentException(
                    "term filter has " + bits.length + " words, expected " + segments * (segmentBits / Long.SIZE));
        return new TermFilter(segments, segmentBits, hashes, segmentTokens, used, bits.clone());
    }

    private static void check(int segments, int segmentBits, int hashes, long segmentTokens, int used) {
        if (segments < 2 || segments % 2 != 0)
            throw new IllegalArgumentException("term filter segments must be even and >= 2: " + segments);
        if (segmentBits < Long.SIZE || segmentBits % Long.SIZE != 0)
            throw new IllegalArgumentException(
                    "term filter segment bits must be a positive multiple of 64: " + segmentBits);
        if (hashes < 1) throw new IllegalArgumentException("term filter hashes must be >= 1: " + hashes);
        if (segmentTokens < 1) throw new IllegalArgumentException("term filter segment tokens must be >= 1");
        if (used < 0 || used > segments) throw new IllegalArgumentException("term filter segments in use: " + used);
    }

    public int segments() {
        return segments;
    }

    public int segmentBits() {
        return segmentBits;
    }

    public int hashes() {
        return hashes;
    }

    /** Tokens per segment now (the first length times a power of two). */
    public long segmentTokens() {
        return segmentTokens;
    }

    /** Segments that hold at least one token. */
    public int used() {
        return used;
    }

    /** Bytes of the bits (what the filter costs in the state). */
    public int bytes() {
        return bits.length * Long.BYTES;
    }

    /** A copy of the bits, segment after segment. */
    public long[] bits() {
        return bits.clone();
    }

    /**
     * The bits themselves, segment after segment (shared, do not modify): for codecs that only read them, which a copy
     * per use (256 KiB at defaults, several times per contraction) cost more than the contraction's own indexing.
     */
    public long[] bitsRef() {
        return bits;
    }

    /**
     * The chance that a term a segment never held matches it anyway, averaged over the segments in use: for each
     * segment, the share of its bits set to the power of the hashes. Near 0 the filter says where words are; near 1
     * it is saturated and every segment matches every word (the reads then fall back on the continuous attention).
     */
    public double falsePositiveRate() {
        if (used == 0) return 0;
        int words = segmentBits / Long.SIZE;
        double sum = 0;
        for (int s = 0; s < used; s++) {
            int set = 0;
            for (int w = 0; w < words; w++) set += Long.bitCount(bits[s * words + w]);
            sum += Math.pow((double) set / segmentBits, hashes);
        }
        return sum / used;
    }

    /** First token index of segment i. */
    public long segmentStart(int i) {
        return i * segmentTokens;
    }

    /** The term as the filter stores it: lower case; null for a piece with no letter or digit (punctuation). */
    public static String normalise(String token) {
        if (token == null) return null;
        String t = token.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("[") && t.endsWith("]")) return null; // tokenizer markers such as [CLS] and [SEP]
        for (int i = 0; i < t.length(); i++) if (Character.isLetterOrDigit(t.charAt(i))) return t;
        return null;
    }

    /** The distinct normalised terms of a query's tokens, in order. */
    public static List<String> terms(List<String> tokens) {
        Set<String> out = new LinkedHashSet<>();
        for (String tok : tokens) {
            String t = normalise(tok);
            if (t != null) out.add(t);
        }
        return new ArrayList<>(out);
    }

    /**
     * How well each segment, and each boundary between two segments, matches a query's terms.
     *
     * @param segments the match score of segment i, in [0, 1] (see the class comment)
     * @param boundaries the score of the union of segments i and i + 1 where it is higher than both of theirs (an
     *     event that straddles the boundary holds the terms split between the two), else 0
     * @param seen the share of the query's term weight that is in some segment (1 when every term was seen): the
     *     most any score can be
     */
    public record Match(double[] segments, double[] boundaries, double seen) {}

    /** Match scores for the query's terms; empty arrays when it has no term or the filter no segment. */
    public Match match(List<String> queryTerms) {
        List<String> terms = terms(queryTerms);
        if (terms.isEmpty() || used == 0) return new Match(new double[0], new double[0], 0);
        double[] score = new double[used];
        double[] pair = new double[used - 1];
        double total = 0, seen = 0;
        boolean[] present = new boolean[used];
        for (String term : terms) {
            long h = hash(term);
            int df = 0;
            for (int s = 0; s < used; s++) {
                present[s] = contains(s, h);
                if (present[s]) df++;
            }
            double w = Math.log(1 + (double) used / Math.max(df, 1));
            total += w;
            if (df > 0) seen += w;
            for (int s = 0; s < used; s++) if (present[s]) score[s] += w;
            for (int s = 0; s + 1 < used; s++) if (present[s] || present[s + 1]) pair[s] += w;
        }
        for (int s = 0; s < used; s++) score[s] /= total;
        for (int s = 0; s + 1 < used; s++) {
            pair[s] /= total;
            if (pair[s] <= Math.max(score[s], score[s + 1])) pair[s] = 0;
        }
        return new Match(score, pair, seen / total);
    }

    /** Whether segment s may hold the term (Bloom: no false negatives). */
    public boolean mayContain(int segment, String term) {
        String t = normalise(term);
        return t != null && segment < used && contains(segment, hash(t));
    }

    private boolean contains(int segment, long h) {
        int base = segment * (segmentBits / Long.SIZE);
        int h1 = (int) h, h2 = (int) (h >>> 32) | 1;
        for (int i = 0; i < hashes; i++) {
            int bit = Math.floorMod(h1 + i * h2, segmentBits);
            if ((bits[base + (bit >>> 6)] & (1L << bit)) == 0) return false;
        }
        return true;
    }

    static long hash(String term) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < term.length(); i++) {
            h ^= term.charAt(i);
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TermFilter f
                && segments == f.segments
                && segmentBits == f.segmentBits
                && hashes == f.hashes
                && segmentTokens == f.segmentTokens
                && used == f.used
                && Arrays.equals(bits, f.bits);
    }

    @Override
    public int hashCode() {
        return Objects.hash(segments, segmentBits, hashes, segmentTokens, used) * 31 + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "TermFilter[segments=" + used + "/" + segments + ", segmentTokens=" + segmentTokens + ", bits="
                + segmentBits + ", hashes=" + hashes + "]";
    }

    /** Adds terms at absolute token indices, which must not decrease; copies the bits once. */
    public static final class Builder {
        private final int segments, segmentBits, hashes, words;
        private long segmentTokens;
        private int used;
        private final long[] bits;

        private Builder(TermFilter f) {
            segments = f.segments;
            segmentBits = f.segmentBits;
            hashes = f.hashes;
            words = segmentBits / Long.SIZE;
            segmentTokens = f.segmentTokens;
            used = f.used;
            bits = f.bits.clone();
        }

        /** Adds the token at absolute index {@code tokenIndex}; tokens without a term (null, punctuation) are skipped. */
        public Builder add(long tokenIndex, String token) {
            String t = normalise(token);
            while (tokenIndex / segmentTokens >= segments) halve();
            int s = (int) (tokenIndex / segmentTokens);
            used = Math.max(used, s + 1);
            if (t == null) return this;
            long h = hash(t);
            int base = s * words;
            int h1 = (int) h, h2 = (int) (h >>> 32) | 1;
            for (int i = 0; i < hashes; i++) {
                int bit = Math.floorMod(h1 + i * h2, segmentBits);
                bits[base + (bit >>> 6)] |= 1L << bit;
            }
            return this;
        }

        /** Merges neighbouring segments pairwise (OR) and doubles the segment length. */
        private void halve() {
            for (int s = 0; s < segments / 2; s++) {
                int to = s * words, a = 2 * s * words, b = (2 * s + 1) * words;
                for (int w = 0; w < words; w++) bits[to + w] = bits[a + w] | bits[b + w];
            }
            Arrays.fill(bits, segments / 2 * words, bits.length, 0L);
            segmentTokens *= 2;
            used = (used + 1) / 2;
        }

        /** The filter; the builder must not be used after this (it hands over its bits without a copy). */
        public TermFilter build() {
            return new TermFilter(segments, segmentBits, hashes, segmentTokens, used, bits);
        }
    }
}
