package io.kvstore.node.storage;

import java.util.ArrayDeque;
import java.util.Deque;
import org.rocksdb.AbstractNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB tuning of a node and the native objects that carry it, closed together.
 *
 * <p>The node runs with a 64 MB heap, so RocksDB's off-heap memory is what decides its RSS: one
 * shared block cache (which also holds index and filter blocks, so they are bounded too) plus at
 * most two write buffers for records. Per-record overhead on disk stays small: 10-bit bloom filters
 * (about 1.25 bytes a key), LZ4 where it helps, and level compaction with dynamic level bytes,
 * which keeps about 90% of the data in the last level and so little space is spent on stale
 * versions.
 */
final class RocksDbOptions implements AutoCloseable {
  private static final long BLOCK_CACHE_BYTES = 32L << 20;
  private static final long RECORDS_WRITE_BUFFER_BYTES = 16L << 20;
  private static final int MAX_WRITE_BUFFERS = 2;

  /** Metadata holds a single small entry, written on open and close. */
  private static final long METADATA_WRITE_BUFFER_BYTES = 1L << 20;

  private static final double BLOOM_BITS_PER_KEY = 10;

  /**
   * Flushes whichever column family pins the oldest WAL once the WALs pass this size, so that a
   * rarely written family cannot keep every WAL file alive.
   */
  private static final long MAX_TOTAL_WAL_BYTES = 64L << 20;

  private static final long MAX_INFO_LOG_BYTES = 1L << 20;
  private static final int INFO_LOGS_KEPT = 2;
  private static final int BACKGROUND_JOBS = 2;

  final DBOptions db;
  final ColumnFamilyOptions records;
  final ColumnFamilyOptions metadata;

  /** For user writes: synced to disk only in {@link WalMode#FSYNC_EVERY_WRITE}. */
  final WriteOptions write;

  /** For metadata: always synced, as open and close rely on it. */
  final WriteOptions syncedWrite;

  /** For full scans (recount, tombstone collection): do not evict the hot set from the cache. */
  final ReadOptions scan;

  final FlushOptions flush;

  /** Every native object created, closed in reverse order. */
  private final Deque<AbstractNativeReference> owned = new ArrayDeque<>();

  RocksDbOptions(WalMode walMode) {
    try {
      LRUCache blockCache = own(new LRUCache(BLOCK_CACHE_BYTES));
      BloomFilter bloomFilter = own(new BloomFilter(BLOOM_BITS_PER_KEY));
      db =
          own(new DBOptions())
              .setCreateIfMissing(true)
              .setCreateMissingColumnFamilies(true)
              .setMaxBackgroundJobs(BACKGROUND_JOBS)
              .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
              .setMaxLogFileSize(MAX_INFO_LOG_BYTES)
              .setKeepLogFileNum(INFO_LOGS_KEPT)
              // BUFFERED: WAL records wait in RocksDB's buffer for FlushWAL (one write(2) a batch).
              .setManualWalFlush(walMode == WalMode.BUFFERED)
              // Required by in-place updates (below); writes of one batch are serial anyway.
              .setAllowConcurrentMemtableWrite(false);
      records =
          own(new ColumnFamilyOptions())
              .setWriteBufferSize(RECORDS_WRITE_BUFFER_BYTES)
              .setMaxWriteBufferNumber(MAX_WRITE_BUFFERS)
              // An overwrite no larger than the version in the memtable replaces it in place
              // instead of adding a version: a hot set of keys keeps one memtable entry each, so a
              // PUT searches a small skiplist and inserts nothing (the insert into ~100,000 versions
              // was 17% of a node's CPU under PUTs). Iterators lose point-in-time views (none are
              // relied on: RecordScans reads each value under its key's lock) and the WAL, hence
              // durability, is unchanged.
              .setInplaceUpdateSupport(true)
              .setLevelCompactionDynamicLevelBytes(true)
              .setCompressionType(CompressionType.LZ4_COMPRESSION)
              .setBottommostCompressionType(CompressionType.LZ4_COMPRESSION)
              .setTableFormatConfig(
                  new BlockBasedTableConfig()
                      .setBlockCache(blockCache)
                      .setFilterPolicy(bloomFilter)
                      .setCacheIndexAndFilterBlocks(true)
                      .setPinL0FilterAndIndexBlocksInCache(true));
      metadata =
          own(new ColumnFamilyOptions())
              .setWriteBufferSize(METADATA_WRITE_BUFFER_BYTES)
              .setMaxWriteBufferNumber(MAX_WRITE_BUFFERS)
              .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache));
      write = own(new WriteOptions()).setSync(walMode == WalMode.FSYNC_EVERY_WRITE);
      syncedWrite = own(new WriteOptions()).setSync(true);
      scan = own(new ReadOptions()).setFillCache(false);
      flush = own(new FlushOptions()).setWaitForFlush(true);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private <T extends AbstractNativeReference> T own(T nativeObject) {
    owned.push(nativeObject);
    return nativeObject;
  }

  @Override
  public void close() {
    while (!owned.isEmpty()) {
      owned.pop().close();
    }
  }
}
