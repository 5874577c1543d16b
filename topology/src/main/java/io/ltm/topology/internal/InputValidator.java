package io.ltm.topology.internal;

import io.ltm.model.MemoryStateCodec;
import io.ltm.schemas.VectorBlock;

/** Checks of incoming vectors: dimension, size, finiteness. Bad input is rejected, never fixed up silently. */
public final class InputValidator {

    private final int dim;
    private final int maxTokens;

    public InputValidator(int dim, int maxTokens) {
        this.dim = dim;
        this.maxTokens = maxTokens;
    }

    /** The floats of a block, or an {@link InvalidInputException} saying what is wrong with it. */
    public float[] vectors(VectorBlock block, String what) {
        if (block == null) {
            throw new InvalidInputException(what + " has no vectors");
        }
        if (block.getDim() != dim) {
            throw new InvalidInputException(what + " has dimension " + block.getDim() + ", this memory expects " + dim);
        }
        if (block.getCount() <= 0) {
            throw new InvalidInputException(what + " is empty (count " + block.getCount() + ")");
        }
        if (block.getCount() > maxTokens) {
            throw new InvalidInputException(what + " has " + block.getCount() + " vectors, more than the limit of "
                    + maxTokens + " per event");
        }
        float[] v;
        try {
            v = MemoryStateCodec.unblock(block, block.getCount(), block.getDim());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidInputException(what + ": " + e.getMessage());
        }
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new InvalidInputException(what + " has a non-finite value (" + v[i] + ") at vector " + i / dim
                        + ", component " + i % dim);
            }
        }
        return v;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int dim() {
        return dim;
    }
}
