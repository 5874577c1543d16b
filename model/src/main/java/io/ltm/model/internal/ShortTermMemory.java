package io.ltm.model.internal;

/**
 * Plain softmax attention over the exact short-term vectors: w = softmax(cos(x_i, q)/T) (cosine scale, the same as
 * the zero-shot head's cosine keys) or, with raw scores, w = softmax(X q / (√d·T)); context = Xᵀ w,
 * score_i = cosine(x_i, q). On host arrays, in one pass over the buffer (two with the context): at most L − 1 vectors, where an upload
 * and a native call per step cost more than the arithmetic.
 */
public final class ShortTermMemory {
    private ShortTermMemory() {}

    /** {weights[count], cosines[count], context[d] (null when not asked for)}. */
    public record Out(float[] weights, float[] cosines, float[] context) {}

    /**
     * x: [count, dim] row-major (from offset 0); cosine: w = softmax(cos/T), else softmax(x·q/(√d·T)); withContext:
     * compute Xᵀ w too.
     */
    public static Out attend(
            float[] x, int count, int dim, float[] q, double temperature, boolean cosine, boolean withContext) {
        double qNorm = Math.sqrt(HostZeroShot.dot(q, 0, q, dim));
        float[] cos = new float[count];
        double[] logits = new double[count];
        double max = Double.NEGATIVE_INFINITY;
        float[] products = new float[2]; // x_i·q and x_i·x_i
        for (int i = 0; i < count; i++) {
            dotAndSquare(x, i * dim, q, dim, products);
            double dot = products[0];
            double c = dot / Math.max(Math.sqrt(products[1]) * qNorm, 1e-30);
            cos[i] = (float) c;
            logits[i] = cosine ? c / temperature : dot / (Math.sqrt(dim) * temperature);
            max = Math.max(max, logits[i]);
        }
        double total = 0;
        for (int i = 0; i < count; i++) {
            logits[i] = Math.exp(logits[i] - max);
            total += logits[i];
        }
        float[] weights = new float[count];
        for (int i = 0; i < count; i++) weights[i] = (float) (logits[i] / total);
        if (!withContext) return new Out(weights, cos, null);
        // a second pass over the buffer only for a read that returns its context (not the default); each row copied out
        // first, so that the loop indexes two arrays alike (what C2 vectorises)
        float[] row = new float[dim];
        float[] context = new float[dim];
        for (int i = 0; i < count; i++) {
            float w = weights[i];
            System.arraycopy(x, i * dim, row, 0, dim);
            for (int j = 0; j < dim; j++) context[j] += w * row[j];
        }
        return new Out(weights, cos, context);
    }

    /**
     * out = {x_o·q, x_o·x_o} over the d floats of x from o, in one pass over the row: each sum in the eight partial sums
     * and the order of {@link HostZeroShot#dot} (the same bits), but the row is read once for both, 30% less time than
     * two calls on a 384-float row (a float reduction is not vectorised by the JIT: the loads bound it).
     */
    static void dotAndSquare(float[] x, int o, float[] q, int d, float[] out) {
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        float b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0;
        int j = 0;
        for (; j + 7 < d; j += 8) {
            float r0 = x[o + j], r1 = x[o + j + 1], r2 = x[o + j + 2], r3 = x[o + j + 3];
            float r4 = x[o + j + 4], r5 = x[o + j + 5], r6 = x[o + j + 6], r7 = x[o + j + 7];
            a0 += q[j] * r0;
            a1 += q[j + 1] * r1;
            a2 += q[j + 2] * r2;
            a3 += q[j + 3] * r3;
            a4 += q[j + 4] * r4;
            a5 += q[j + 5] * r5;
            a6 += q[j + 6] * r6;
            a7 += q[j + 7] * r7;
            b0 += r0 * r0;
            b1 += r1 * r1;
            b2 += r2 * r2;
            b3 += r3 * r3;
            b4 += r4 * r4;
            b5 += r5 * r5;
            b6 += r6 * r6;
            b7 += r7 * r7;
        }
        for (; j < d; j++) {
            a0 += q[j] * x[o + j];
            b0 += x[o + j] * x[o + j];
        }
        out[0] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
        out[1] = ((b0 + b1) + (b2 + b3)) + ((b4 + b5) + (b6 + b7));
    }
}
