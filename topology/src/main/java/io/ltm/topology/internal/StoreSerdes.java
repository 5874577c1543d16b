package io.ltm.topology.internal;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** double[] as big-endian float32: the sticky attention histogram store (512 bytes for D = 128). */
public final class StoreSerdes {

    private StoreSerdes() {}

    public static Serde<double[]> histogram() {
        return Serdes.serdeFrom(
                (topic, v) -> {
                    if (v == null) {
                        return null;
                    }
                    ByteBuffer b = ByteBuffer.allocate(4 * v.length);
                    for (double x : v) {
                        b.putFloat((float) x);
                    }
                    return b.array();
                },
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    if (bytes.length % 4 != 0) {
                        throw new SerializationException(
                                "histogram length " + bytes.length + " is not a multiple of 4");
                    }
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    double[] v = new double[bytes.length / 4];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = b.getFloat();
                    }
                    return v;
                });
    }
}
