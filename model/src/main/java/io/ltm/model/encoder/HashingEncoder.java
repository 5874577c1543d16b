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
 * one token list per text, three scratch rows per call).
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
    float[] scratch = new float[3 * dim];
    int[] spans = new int[64];
    for (String t : texts) {
      out.add(encodeOne(t == null ? "" : t, scratch, spans));
    }
    return out;
  }

  @Override
  public EncodedText encode(String text) {
    return encodeOne(text == null ? "" : text, new float[3 * dim], new int[64]);
  }

  /** The context-free unit vector of one piece (as the encoder would produce it for a lone piece). */
  public float[] pieceVector(String piece) {
    float[] v = new float[dim];
    fill(seed(piece, 0, piece.length()), v, 0);
    return v;
  }

  private EncodedText encodeOne(String text, float[] scratch, int[] spans) {
    // split into pieces: spans[2k] = start, spans[2k+1] = end (char indices)
    int n = 0;
    int len = text.length();
    int i = 0;
    while (i < len) {
      char c = text.charAt(i);
      int kind = kind(c);
      if (kind == 0) {
        i++;
        continue;
      }
      int start = i;
      i += Character.isHighSurrogate(c) && i + 1 < len ? 2 : 1;
      if (kind != 3) {
        while (i < len && kind(text.charAt(i)) == kind) {
          i++;
        }
      }
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
    // rolling rows: prev, cur, next of the base (context-free) vectors
    int prev = 0;
    int cur = dim;
    int next = 2 * dim;
    Arrays.fill(scratch, 0, dim, 0f);
    fill(seed(text, spans[0], spans[1]), scratch, cur);
    for (int k = 0; k < n; k++) {
      tokens[k] = text.substring(spans[2 * k], spans[2 * k + 1]).toLowerCase(java.util.Locale.ROOT);
      if (k + 1 < n) {
        fill(seed(text, spans[2 * k + 2], spans[2 * k + 3]), scratch, next);
      } else {
        Arrays.fill(scratch, next, next + dim, 0f);
      }
      int o = k * dim;
      if (context == 0f) {
        System.arraycopy(scratch, cur, v, o, dim);
      } else {
        double ss = 0;
        for (int j = 0; j < dim; j++) {
          float x = scratch[cur + j] + context * (scratch[prev + j] + scratch[next + j]);
          v[o + j] = x;
          ss += x * x;
        }
        float inv = (float) (1.0 / Math.sqrt(ss));
        for (int j = 0; j < dim; j++) {
          v[o + j] *= inv;
        }
      }
      int t = prev;
      prev = cur;
      cur = next;
      next = t;
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

  /** Writes the unit sign vector of {@code seed} into {@code dst[off, off+dim)}. */
  private void fill(long seed, float[] dst, int off) {
    float a = (float) (1.0 / Math.sqrt(dim));
    long state = seed;
    for (int j = 0; j < dim; j += 64) {
      state += 0x9e3779b97f4a7c15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      z ^= z >>> 31;
      int m = Math.min(64, dim - j);
      for (int b = 0; b < m; b++) {
        dst[off + j + b] = ((z >>> b) & 1L) == 0 ? a : -a;
      }
    }
  }

  @Override
  public void close() {
    // nothing to release
  }
}
