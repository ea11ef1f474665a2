package io.kvstore.node.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The native handles of one open store (the database, its three column families, its options) and
 * the lock that keeps them from being used after release: operations hold it shared
 * ({@link #acquireOpen}); replacing the records family (wipeout) and releasing everything (close)
 * hold it exclusively, because a native handle used after release crashes the JVM rather than
 * throwing.
 */
final class RocksDbHandles {
  private static final byte[] RECORDS_FAMILY = "records".getBytes(StandardCharsets.UTF_8);
  private static final byte[] METADATA_FAMILY = "metadata".getBytes(StandardCharsets.UTF_8);

  final Path dir;
  final RocksDbOptions options;
  final RocksDB db;
  /** User records. */
  private ColumnFamilyHandle records;
  /** The engine's own entries (saved counters), apart so that no user key can collide with them. */
  final ColumnFamilyHandle metadata;
  /** Unused, but RocksDB always has it. */
  private final ColumnFamilyHandle defaultFamily;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** Guarded by {@link #lock}. */
  private boolean closed;

  private RocksDbHandles(Path dir, RocksDbOptions options, RocksDB db, List<ColumnFamilyHandle> families) {
    this.dir = dir;
    this.options = options;
    this.db = db;
    this.defaultFamily = families.get(0);
    this.records = families.get(1);
    this.metadata = families.get(2);
  }

  /**
   * Opens (or creates) the database in {@code dir} with {@code options}; on failure closes whatever
   * it opened, {@code options} included.
   */
  static RocksDbHandles open(Path dir, RocksDbOptions options) throws RocksDBException {
    List<ColumnFamilyHandle> families = new ArrayList<>();
    RocksDB db = null;
    try {
      db =
          RocksDB.open(
              options.db,
              dir.toString(),
              List.of(
                  new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, options.metadata),
                  new ColumnFamilyDescriptor(RECORDS_FAMILY, options.records),
                  new ColumnFamilyDescriptor(METADATA_FAMILY, options.metadata)),
              families);
      return new RocksDbHandles(dir, options, db, families);
    } catch (RocksDBException | RuntimeException e) {
      families.forEach(ColumnFamilyHandle::close);
      if (db != null) {
        db.close();
      }
      options.close();
      throw e;
    }
  }

  /** The records family; call with the lock held (shared or exclusive), which publishes wipeouts. */
  ColumnFamilyHandle records() {
    return records;
  }

  /** Takes the shared lock, or throws if the store is closed. The caller unlocks. */
  Lock acquireOpen() {
    Lock shared = lock.readLock();
    shared.lock();
    if (closed) {
      shared.unlock();
      requireOpen();
    }
    return shared;
  }

  /** The shared lock itself, for background work that must skip a round rather than wait. */
  Lock sharedLock() {
    return lock.readLock();
  }

  /** Takes the exclusive lock (wipeout, close). The caller unlocks. */
  Lock acquireExclusive() {
    Lock exclusive = lock.writeLock();
    exclusive.lock();
    return exclusive;
  }

  /** Whether the store is closed; read with the lock held. */
  boolean closed() {
    return closed;
  }

  void requireOpen() {
    if (closed) {
      throw new IllegalStateException(
          "the storage engine for " + dir + " is closed; open a new one to use the data");
    }
  }

  /** Drops the records family and creates it anew; the caller holds the exclusive lock. */
  void replaceRecords() throws RocksDBException {
    ColumnFamilyHandle wiped = records;
    db.dropColumnFamily(wiped);
    records = db.createColumnFamily(new ColumnFamilyDescriptor(RECORDS_FAMILY, options.records));
    wiped.close();
  }

  /**
   * Marks the store closed and frees every native handle: families before the database, the
   * database before its options. The caller holds the exclusive lock and has not closed it before.
   */
  void release() {
    closed = true;
    records.close();
    metadata.close();
    defaultFamily.close();
    db.close();
    options.close();
  }
}
