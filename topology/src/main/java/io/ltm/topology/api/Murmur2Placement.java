package io.ltm.topology.api;

import org.apache.kafka.common.utils.Utils;

/** murmur2 of the key bytes, as the Java producer's default partitioner places a keyed record. */
public final class Murmur2Placement implements KeyPlacement {

    @Override
    public int partition(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    @Override
    public String configValue() {
        return "murmur2";
    }
}
