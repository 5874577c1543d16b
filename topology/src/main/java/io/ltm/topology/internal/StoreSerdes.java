package io.ltm.topology.internal;

import io.ltm.schemas.EncodedTokens;
import io.ltm.topology.codec.InternalRecordSerde;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** The serdes of the node's stores that are not Avro records of their own: short-term records, histograms. */
public final class StoreSerdes {

    private StoreSerdes() {}

    /**
     * The short-term store's records ({@link Names#STORE_SHORT_TERM}): {@link EncodedTokens} in the internal format,
     * which a restore or a replica reads with no registry. Records stored by earlier releases, the token events'
     * bytes as they arrived (Confluent wire format), are read through the registry that {@code serdeConfig} names.
     */
    public static Serde<EncodedTokens> shortTerm(Map<String, ?> serdeConfig) {
        return new InternalRecordSerde<>(EncodedTokens.class, serdeConfig);
    }

    /** double[] as big-endian float32: the sticky attention histogram store (512 bytes for D = 128). */
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
