package io.ltm.topology.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.ltm.schemas.VectorBlock;
import io.ltm.schemas.VectorEncoding;

/** Packing of float vectors into the {@link VectorBlock} wire type (little-endian float32 or float16). */
public final class VectorBlocks {

    private VectorBlocks() {
    }

    public static VectorBlock of(float[] rowMajor, int count, int dim, VectorEncoding encoding) {
        if (rowMajor.length < count * dim) {
            throw new IllegalArgumentException("need " + count * dim + " floats, got " + rowMajor.length);
        }
        int n = count * dim;
        ByteBuffer buf = ByteBuffer.allocate(n * bytesPerValue(encoding)).order(ByteOrder.LITTLE_ENDIAN);
        if (encoding == VectorEncoding.FLOAT32) {
            buf.asFloatBuffer().put(rowMajor, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                buf.putShort(i * 2, Float16.fromFloat(rowMajor[i]));
            }
        }
        return VectorBlock.newBuilder().setDim(dim).setCount(count).setEncoding(encoding).setData(buf).build();
    }

    /** The floats, after checking that the byte length matches count x dim. */
    public static float[] floats(VectorBlock block) {
        int n = Math.multiplyExact(block.getCount(), block.getDim());
        ByteBuffer data = block.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int expected = n * bytesPerValue(block.getEncoding());
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("vector block of " + block.getCount() + " x " + block.getDim() + " "
                    + block.getEncoding() + " needs " + expected + " bytes, has " + data.remaining());
        }
        float[] out = new float[n];
        if (block.getEncoding() == VectorEncoding.FLOAT32) {
            data.asFloatBuffer().get(out);
        } else {
            int base = data.position();
            for (int i = 0; i < n; i++) {
                out[i] = Float16.toFloat(data.getShort(base + 2 * i));
            }
        }
        return out;
    }

    public static int bytesPerValue(VectorEncoding encoding) {
        return encoding == VectorEncoding.FLOAT16 ? 2 : 4;
    }
}
