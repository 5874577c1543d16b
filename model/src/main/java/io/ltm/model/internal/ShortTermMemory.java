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
        // each row copied out first, so that the loops index two arrays alike (what C2 vectorises)
        float[] row = new float[dim];
        for (int i = 0; i < count; i++) {
            System.arraycopy(x, i * dim, row, 0, dim);
            double dot = HostZeroShot.dot(row, 0, q, dim);
            double c = dot / Math.max(Math.sqrt(HostZeroShot.dot(row, 0, row, dim)) * qNorm, 1e-30);
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
        // a second pass over the buffer only for a read that returns its context (not the default)
        float[] context = new float[dim];
        for (int i = 0; i < count; i++) {
            float w = weights[i];
            System.arraycopy(x, i * dim, row, 0, dim);
            for (int j = 0; j < dim; j++) context[j] += w * row[j];
        }
        return new Out(weights, cos, context);
    }
}
