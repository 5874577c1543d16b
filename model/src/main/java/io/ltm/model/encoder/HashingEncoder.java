package io.ltm.model.encoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A fast deterministic encoder without a model, for high-volume logs and for tests.
 *
 * <p>Pieces: the text is lower-cased and split into runs of letters, runs of digits, and single other
 * characters (punctuation, symbols); whitespace separates and is dropped. So {@code "ERROR: disk sda1 full!"}
 * becomes {@code error : disk sda 1 full !}.
 *
 * <p>Vectors: each piece has a fixed pseudo-random sign vector ({@code ±1/sqrt(dim)} per coordinate)
 * seeded by the 64-bit FNV-1a hash of the piece's characters (post-processed by SplitMix64), so the same
 * piece gets the same vector in every JVM and release; two different pieces are nearly orthogonal
 * (cosine ~ N(0, 1/dim)). To make the vectors a little contextual, token {@code i} is
 * {@code normalize(u[i] + c * (u[i-1] + u[i+1]))} where {@code c} is the context weight (default 0.2;
 * missing neighbours at the ends count as zero). With {@code c = 0} the vector of a piece is exactly its
 * unit sign vector. All vectors are L2-normalised. Thread-safe and allocation-light (one output array and
 * one token list per text, three rows of sign bits per call); since every coordinate takes one of at most
 * eight values per token, the norm comes from popcounts and the output from a table lookup.
 */
public final class HashingEncoder implements TextEncoder {

    public static final float DEFAULT_CONTEXT_WEIGHT = 0.2f;

    private final int dim;
    private final float context;

    public HashingEncoder(int dim) {
        this(dim, DEFAULT_CONTEXT_WEIGHT);
    }

    public HashingEncoder(int dim, float contextWeight) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be positive: " + dim);
        }
        if (!(contextWeight >= 0 && contextWeight <= 1)) {
            throw new IllegalArgumentException("contextWeight must be in [0, 1]: " + contextWeight);
        }
        this.dim = dim;
        this.context = contextWeight;
    }

    @Override
    public String name() {
        return "hashing";
    }

    @Override
    public int dimension() {
        return dim;
    }

    public float contextWeight() {
        return context;
    }

    @Override
    public List<EncodedText> encode(List<String> texts) {
        List<EncodedText> out = new ArrayList<>(texts.size());
        long[] scratch = new long[3 * words()];
        int[] spans = new int[64];
        for (String t : texts) {
            out.add(encodeOne(t == null ? "" : t, scratch, spans));
        }
        return out;
    }

    @Override
    public EncodedText encode(String text) {
        return encodeOne(text == null ? "" : text, new long[3 * words()], new int[64]);
    }

    @Override
    public int countTokens(String text) {
        if (text == null) {
            return 0;
        }
        // the same split as encodeOne, counting instead of recording spans
        int n = 0;
        int len = text.length();
        int i = 0;
        while (i < len) {
            if (kind(text.charAt(i)) == 0) {
                i++;
                continue;
            }
            i = pieceEnd(text, i);
            n++;
        }
        return n;
    }

    /** The context-free unit vector of one piece (as the encoder would produce it for a lone piece). */
    public float[] pieceVector(String piece) {
        long[] signs = new long[words()];
        signs(seed(piece, 0, piece.length()), signs, 0);
        float a = (float) (1.0 / Math.sqrt(dim));
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = ((signs[j >>> 6] >>> (j & 63)) & 1L) == 0 ? a : -a;
        }
        return v;
    }

    private int words() {
        return (dim + 63) >>> 6;
    }

    /** End (exclusive) of the piece that starts at {@code start}: a run of one kind, or a single symbol. */
    private static int pieceEnd(String text, int start) {
        int len = text.length();
        char c = text.charAt(start);
        int kind = kind(c);
        int i = start + (Character.isHighSurrogate(c) && start + 1 < len ? 2 : 1);
        if (kind != 3) {
            while (i < len && kind(text.charAt(i)) == kind) {
                i++;
            }
        }
        return i;
    }

    private EncodedText encodeOne(String text, long[] scratch, int[] spans) {
        // split into pieces: spans[2k] = start, spans[2k+1] = end (char indices)
        int n = 0;
        int len = text.length();
        int i = 0;
        while (i < len) {
            if (kind(text.charAt(i)) == 0) {
                i++;
                continue;
            }
            int start = i;
            i = pieceEnd(text, i);
            if (2 * n + 2 > spans.length) {
                spans = Arrays.copyOf(spans, spans.length * 2);
            }
            spans[2 * n] = start;
            spans[2 * n + 1] = i;
            n++;
        }
        if (n == 0) {
            return EncodedText.empty();
        }
        String[] tokens = new String[n];
        float[] v = new float[n * dim];
        // The base vector of a piece is a sign vector: 64 signs per long (bit 1 = negative). With signs
        // s_p, s_c, s_n of the previous, current and next piece, coordinate j of the mixed vector is
        // s_c + w*(s_p + s_n): one of at most 8 values, so the norm follows from 8 popcounts and the output is
        // a table lookup per coordinate. Rolling rows of sign words: prev, cur, next.
        int words = words();
        long lastMask = (dim & 63) == 0 ? -1L : (1L << (dim & 63)) - 1;
        int prev = 0;
        int cur = words;
        int next = 2 * words;
        signs(seed(text, spans[0], spans[1]), scratch, cur);
        float[] t = new float[8];
        int[] counts = new int[8];
        for (int k = 0; k < n; k++) {
            tokens[k] = text.substring(spans[2 * k], spans[2 * k + 1]).toLowerCase(java.util.Locale.ROOT);
            boolean hasNext = k + 1 < n;
            if (hasNext) {
                signs(seed(text, spans[2 * k + 2], spans[2 * k + 3]), scratch, next);
            }
            float wp = k > 0 ? context : 0f;
            float wn = hasNext ? context : 0f;
            // t[idx] for idx = c | p << 1 | n << 2 (bit set = negative sign)
            Arrays.fill(counts, 0);
            for (int w = 0; w < words; w++) {
                long mask = w == words - 1 ? lastMask : -1L;
                long cw = scratch[cur + w];
                long pw = scratch[prev + w];
                long nw = scratch[next + w];
                for (int idx = 0; idx < 8; idx++) {
                    long m = mask
                            & ((idx & 1) != 0 ? cw : ~cw)
                            & ((idx & 2) != 0 ? pw : ~pw)
                            & ((idx & 4) != 0 ? nw : ~nw);
                    counts[idx] += Long.bitCount(m);
                }
            }
            double norm2 = 0;
            for (int idx = 0; idx < 8; idx++) {
                float x = ((idx & 1) != 0 ? -1f : 1f)
                        + wp * ((idx & 2) != 0 ? -1f : 1f)
                        + wn * ((idx & 4) != 0 ? -1f : 1f);
                t[idx] = x;
                norm2 += counts[idx] * (double) x * x;
            }
            float inv = (float) (1.0 / Math.sqrt(norm2));
            for (int idx = 0; idx < 8; idx++) {
                t[idx] *= inv;
            }
            int o = k * dim;
            for (int w = 0; w < words; w++) {
                long cw = scratch[cur + w];
                long pw = scratch[prev + w];
                long nw = scratch[next + w];
                int m = Math.min(64, dim - (w << 6));
                int base = o + (w << 6);
                for (int b = 0; b < m; b++) {
                    int idx = (int) ((cw >>> b) & 1L) | (int) ((pw >>> b) & 1L) << 1 | (int) ((nw >>> b) & 1L) << 2;
                    v[base + b] = t[idx];
                }
            }
            int tmp = prev;
            prev = cur;
            cur = next;
            next = tmp;
        }
        return new EncodedText(v, n, Arrays.asList(tokens));
    }

    /** 0 = separator (whitespace/control), 1 = letter, 2 = digit, 3 = other (one piece per character). */
    private static int kind(char c) {
        if (c < 128) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                return 1;
            }
            if (c >= '0' && c <= '9') {
                return 2;
            }
            return c <= ' ' || c == 127 ? 0 : 3;
        }
        if (Character.isLetter(c) || Character.getType(c) == Character.NON_SPACING_MARK) {
            return 1;
        }
        if (Character.isDigit(c)) {
            return 2;
        }
        if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
            return 0;
        }
        return 3;
    }

    /** FNV-1a 64 over the lower-cased UTF-16 chars of {@code s[from, to)}. */
    private static long seed(String s, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            char c = Character.toLowerCase(s.charAt(i));
            h ^= c & 0xff;
            h *= 0x100000001b3L;
            h ^= c >>> 8;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** Writes the sign words of {@code seed} (bit 1 = negative coordinate) into {@code dst[off, off+words)}. */
    private void signs(long seed, long[] dst, int off) {
        long state = seed;
        int words = words();
        for (int w = 0; w < words; w++) {
            state += 0x9e3779b97f4a7c15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            dst[off + w] = z ^ (z >>> 31);
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
