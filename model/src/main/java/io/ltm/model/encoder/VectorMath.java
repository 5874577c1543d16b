package io.ltm.model.encoder;

/** Small float helpers used by the encoders (package-private). */
final class VectorMath {
    private VectorMath() {}

    /** L2-normalises {@code v[off, off+dim)} in place; a zero vector stays zero. */
    static void normalize(float[] v, int off, int dim) {
        double s = 0;
        for (int j = off; j < off + dim; j++) {
            s += (double) v[j] * v[j];
        }
        if (s > 0) {
            float inv = (float) (1.0 / Math.sqrt(s));
            for (int j = off; j < off + dim; j++) {
                v[j] *= inv;
            }
        }
    }

    static double dot(float[] a, int ao, float[] b, int bo, int dim) {
        double s = 0;
        for (int j = 0; j < dim; j++) {
            s += (double) a[ao + j] * b[bo + j];
        }
        return s;
    }

    static double cosine(float[] a, float[] b) {
        double ab = dot(a, 0, b, 0, a.length);
        double aa = dot(a, 0, a, 0, a.length);
        double bb = dot(b, 0, b, 0, b.length);
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }
}
