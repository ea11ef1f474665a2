package io.kvstore.node.storage;

/**
 * When a write's record in RocksDB's write-ahead log leaves the process: what decides whether a
 * write survives {@code kill -9} of the node once its call has returned.
 */
public enum WalMode {
  /**
   * The record stays in RocksDB's WAL buffer (RocksDB's {@code manual_wal_flush}) until the next
   * {@link StorageEngine#flushWal()} or {@link StorageEngine#sync()} from any thread, or the
   * background sync (every 100 ms): one {@code write(2)} for a whole batch of writes. Whoever
   * acknowledges a write must flush first; the request pipeline does so before a batch's replies
   * leave.
   */
  BUFFERED,
  /** Every write hands its record to the operating system before it returns (one {@code write(2)} each). */
  EVERY_WRITE,
  /** Every write fsyncs the WAL before it returns (survives power loss). */
  FSYNC_EVERY_WRITE
}
