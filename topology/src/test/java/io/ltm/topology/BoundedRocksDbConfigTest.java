package io.ltm.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.internal.BoundedRocksDbConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedRocksDbConfigTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void everyStoreSharesOneWriteBufferManagerAndCachesIndexAndFilterBlocks() {
        Map<String, Object> configs =
                Map.of(LtmConfig.ROCKSDB_BLOCK_CACHE_BYTES, 8L << 20, LtmConfig.ROCKSDB_WRITE_BUFFER_BYTES, 4L << 20);
        BoundedRocksDbConfig setter = new BoundedRocksDbConfig();
        try (Options a = new Options();
                Options b = new Options()) {
            a.setTableFormatConfig(new BlockBasedTableConfig());
            b.setTableFormatConfig(new BlockBasedTableConfig());
            setter.setConfig("ltm-memory", a, configs);
            setter.setConfig("ltm-short-term", b, configs);
            assertThat(a.writeBufferManager()).isNotNull().isSameAs(b.writeBufferManager());
            assertThat(((BlockBasedTableConfig) a.tableFormatConfig()).cacheIndexAndFilterBlocks())
                    .isTrue();
            assertThat(a.maxWriteBufferNumber()).isEqualTo(2);
        }
    }
}
