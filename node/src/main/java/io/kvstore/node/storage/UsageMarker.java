package io.kvstore.node.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live-usage counters saved in the metadata column family by a clean close. The entry exists
 * only between a clean close and the next open, so it doubles as the clean-shutdown marker: after a
 * crash it is missing and the counters must be recounted.
 *
 * <p>Encoding: [format version 1][live keys, 8 bytes][live bytes, 8 bytes], big-endian.
 */
final class UsageMarker {
  private static final byte[] KEY = "live-usage".getBytes(StandardCharsets.UTF_8);
  private static final byte FORMAT_VERSION = 1;
  private static final int LENGTH = 1 + 2 * Long.BYTES;
  private static final Logger log = LoggerFactory.getLogger(UsageMarker.class);

  private UsageMarker() {}

  /** Saves the counters durably; the caller has stopped all writes. */
  static void save(RocksDB db, ColumnFamilyHandle metadata, RocksDbOptions options, LiveUsage usage)
      throws RocksDBException {
    byte[] value =
        ByteBuffer.allocate(LENGTH)
            .put(FORMAT_VERSION)
            .putLong(usage.keys())
            .putLong(usage.bytes())
            .array();
    db.put(metadata, options.syncedWrite, KEY, value);
  }

  /**
   * Loads the saved counters into {@code usage} and durably deletes them, so that a crash from now
   * on is detected at the next open.
   *
   * @return false if there were none (the last stop was unclean) or they were unreadable
   */
  static boolean take(
      RocksDB db, ColumnFamilyHandle metadata, RocksDbOptions options, LiveUsage usage)
      throws RocksDBException {
    byte[] saved = db.get(metadata, KEY);
    if (saved == null) {
      return false;
    }
    db.delete(metadata, options.syncedWrite, KEY);
    // Flushed at once: an unflushed metadata memtable would keep every later WAL file alive.
    db.flush(options.flush, metadata);
    if (saved.length != LENGTH || saved[0] != FORMAT_VERSION) {
      log.warn("Saved storage counters are unreadable ({} bytes): recounting", saved.length);
      return false;
    }
    ByteBuffer counters = ByteBuffer.wrap(saved, 1, 2 * Long.BYTES);
    usage.reset(counters.getLong(), counters.getLong());
    return true;
  }
}
