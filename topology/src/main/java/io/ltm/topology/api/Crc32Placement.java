package io.ltm.topology.api;

import java.util.zip.CRC32;

/**
 * CRC-32 (IEEE, as zlib computes it) of the key bytes modulo the partition count, as librdkafka's default partitioner
 * (consistent_random) places a keyed record: Confluent's Python, Go and .NET clients, kcat.
 */
public final class Crc32Placement implements KeyPlacement {

    @Override
    public int partition(byte[] key, int partitions) {
        CRC32 crc = new CRC32();
        crc.update(key);
        return (int) (crc.getValue() % partitions);
    }

    @Override
    public String configValue() {
        return "crc32";
    }
}
