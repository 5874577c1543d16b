package io.ltm.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reusable direct buffers for uploading large float[] into NDArrays (about 7x faster than creating from a heap
 * array, measured: 4.5 ms vs 30 ms for 50 MB). On the CPU, PyTorch wraps the direct buffer without copying, so an
 * array uploaded into a slot is only valid until the next upload into the same slot: callers use one slot per
 * live array within one call and close the arrays before the call returns. Not thread-safe (one per engine).
 */
public final class Staging {
    private final ByteBuffer[] slots = new ByteBuffer[4];

    /** Starts filling a slot with capacity for len floats and returns it (position 0). */
    public ByteBuffer begin(int slot, int len) {
        ByteBuffer b = slots[slot];
        if (b == null || b.capacity() < len * 4) {
            b = ByteBuffer.allocateDirect(Math.max(len * 4, 1024)).order(ByteOrder.nativeOrder());
            slots[slot] = b;
        }
        b.clear();
        return b;
    }

    /** Writes src[off, off+len) at float index at of the slot's buffer. */
    public void put(int slot, int at, float[] src, int off, int len) {
        ByteBuffer b = slots[slot].duplicate().order(ByteOrder.nativeOrder());
        b.position(at * 4);
        b.asFloatBuffer().put(src, off, len);
    }

    /** Creates an array of the given shape from the first shape.size() floats of the slot. */
    public NDArray finish(NDManager m, int slot, Shape shape) {
        ByteBuffer b = slots[slot].duplicate().order(ByteOrder.nativeOrder());
        b.position(0);
        b.limit((int) shape.size() * 4);
        return m.create(b.slice().order(ByteOrder.nativeOrder()), shape, DataType.FLOAT32);
    }

    /** One-shot upload of src[off, off+len) as an array of the given shape. */
    public NDArray upload(NDManager m, int slot, float[] src, int off, Shape shape) {
        int len = (int) shape.size();
        begin(slot, len);
        put(slot, 0, src, off, len);
        return finish(m, slot, shape);
    }
}
