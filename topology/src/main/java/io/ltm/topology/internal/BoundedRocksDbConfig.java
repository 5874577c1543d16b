package io.ltm.topology.internal;

import io.ltm.topology.api.LtmConfig;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of all RocksDB stores of the process: one LRU block cache and one
 * write-buffer manager charged to it, shared by every store instance (the pattern of the Kafka Streams
 * memory-management guide). Sizes come from {@link LtmConfig#ROCKSDB_BLOCK_CACHE_BYTES} and
 * {@link LtmConfig#ROCKSDB_WRITE_BUFFER_BYTES}; the first store configured in a process fixes them.
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;

    private static synchronized void init(long cacheBytes, long writeBufferBytes) {
        if (cache == null) {
            // high-priority pool for index and filter blocks so they are not evicted by data blocks
            cache = new LRUCache(cacheBytes, -1, false, 0.1);
            writeBufferManager = new WriteBufferManager(writeBufferBytes, cache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        init(
                longOf(configs.get(LtmConfig.ROCKSDB_BLOCK_CACHE_BYTES), 64L << 20),
                longOf(configs.get(LtmConfig.ROCKSDB_WRITE_BUFFER_BYTES), 32L << 20));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBufferManager);
        options.setTableFormatConfig(table);
        // coefficient blobs are large; fewer, larger memtables keep flushes cheap
        options.setMaxWriteBufferNumber(2);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and manager are shared across stores: never closed per store
    }

    private static long longOf(Object v, long dflt) {
        if (v == null) {
            return dflt;
        }
        return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString());
    }
}
