package io.ltm.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Plain softmax attention over the exact short-term vectors: w = softmax(cos(x_i, q)/T) (cosine scale, the same as
 * the zero-shot head's cosine keys) or, with raw scores, w = softmax(X q / (√d·T)); context = Xᵀ w,
 * score_i = cosine(x_i, q).
 */
public final class ShortTermMemory {
    private ShortTermMemory() {}

    /** {weights[count], cosines[count], context[d]}. */
    public record Out(float[] weights, float[] cosines, float[] context) {}

    /** x: [count, dim] (its manager is used for the temporaries). */
    static Out attend(NDArray x, float[] q, double temperature) {
        return attend(x, q, temperature, false);
    }

    /** cosine: w = softmax(cos/T), else softmax(x·q/(√d·T)). */
    public static Out attend(NDArray x, float[] q, double temperature, boolean cosine) {
        int count = (int) x.getShape().get(0), dim = (int) x.getShape().get(1);
        NDManager m = x.getManager();
        {
            NDArray qq = m.create(q, new Shape(dim, 1));
            NDArray s = x.matMul(qq).reshape(count);
            NDArray xn = x.norm(new int[] {1}).mul(qq.norm()).maximum(1e-30f);
            NDArray cos = s.div(xn);
            NDArray w = (cosine ? cos.mul(1.0 / temperature) : s.mul(1.0 / (Math.sqrt(dim) * temperature))).softmax(0);
            NDArray ctx = w.reshape(1, count).matMul(x).reshape(dim);
            return new Out(w.toFloatArray(), cos.toFloatArray(), ctx.toFloatArray());
        }
    }
}
