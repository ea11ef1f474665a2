package io.kvstore.node.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable storage engine: records in RocksDB, one column family for user records and one for
 * the engine's own metadata (so no user key can collide with it).
 *
 * <p><b>Durability.</b> The write-ahead log is always on; {@link WalMode} says when a write's record
 * leaves the process. The node's records use {@link WalMode#BUFFERED}: records wait in RocksDB's
 * buffer until {@link #flushWal()} hands them to the operating system's page cache, which the
 * request pipeline does once per batch before its replies leave, so an acknowledged write
 * survives {@code kill -9} of the process (the kernel still writes the page cache out) but not a
 * power failure or kernel crash. {@link #sync()} fsyncs the WAL (flushing it first); with
 * {@code --sync} the pipeline calls it instead, once per batch of writes (group commit), and a
 * background task does the same every 100 ms, which bounds what a power failure (or a writer that
 * forgot to flush) can lose.
 *
 * <p><b>Exact counters.</b> Live key count and live bytes are kept in memory. A write reads the
 * stored version's header under a lock striped by key hash, so it knows what it replaces; the lock
 * covers only that read-modify-write. On a clean close the counters are saved in the metadata
 * column family; on open they are loaded and the entry deleted, so its absence on the next open
 * means the node did not close cleanly, and the counters are recounted by a scan.
 *
 * <p><b>Concurrency.</b> Operations share a read lock; {@link #wipeout()} and {@link #close()} take
 * it exclusively, because they replace or free native handles that a concurrent operation would
 * otherwise use after release (which crashes the JVM rather than throwing).
 */
public final class RocksDbStorageEngine implements StorageEngine {
  private static final long WAL_SYNC_INTERVAL_MILLIS = 100;
  private static final int KEY_STRIPES = 1024;
  private static final byte[] RECORDS_FAMILY = "records".getBytes(StandardCharsets.UTF_8);
  private static final byte[] METADATA_FAMILY = "metadata".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EMPTY = new byte[0];

  /** RocksDB's pointer to the current manifest: present once a database exists in a directory. */
  private static final String CURRENT_FILE = "CURRENT";

  private static final Logger log = LoggerFactory.getLogger(RocksDbStorageEngine.class);

  private final Path dir;
  private final RocksDbOptions options;
  private final WalMode walMode;
  private final RocksDB db;
  private final ColumnFamilyHandle defaultFamily;
  private final ColumnFamilyHandle metadata;

  /** Replaced by {@link #wipeout()}; read under {@link #handles}, which publishes the change. */
  private ColumnFamilyHandle records;

  private final LiveUsage usage;
  private final boolean countersRecounted;
  private final KeyStripes keyLocks = new KeyStripes(KEY_STRIPES);
  /** 65,536 slots, 2.9 MB of heap: most of a 10,000-key working set writes without a read. */
  private final RecentHeaders recentHeaders = new RecentHeaders(1 << 16, KEY_STRIPES);
  private final ReentrantReadWriteLock handles = new ReentrantReadWriteLock();

  /** Guarded by {@link #handles}. */
  private boolean closed;

  private final WalDurability wal;

  private RocksDbStorageEngine(
      Path dir,
      RocksDbOptions options,
      WalMode walMode,
      long syncIntervalMillis,
      RocksDB db,
      List<ColumnFamilyHandle> families,
      LiveUsage usage,
      boolean countersRecounted) {
    this.dir = dir;
    this.options = options;
    this.walMode = walMode;
    this.db = db;
    this.defaultFamily = families.get(0);
    this.records = families.get(1);
    this.metadata = families.get(2);
    this.usage = usage;
    this.countersRecounted = countersRecounted;
    this.wal =
        new WalDurability(db, dir, syncIntervalMillis, handles.readLock(), () -> closed);
  }

  /**
   * Opens (or creates) the store in {@code dir}.
   *
   * @throws StorageException if the directory cannot be used, is locked by another process (a
   *     second node on the same data directory), or holds damaged data
   */
  public static RocksDbStorageEngine open(Path dir, StorageLimits limits, WalMode walMode) {
    return open(dir, limits, walMode, WAL_SYNC_INTERVAL_MILLIS);
  }

  /** As {@link #open(Path, StorageLimits, WalMode)}, with the background sync's interval (tests). */
  static RocksDbStorageEngine open(
      Path dir, StorageLimits limits, WalMode walMode, long syncIntervalMillis) {
    Path absoluteDir = dir.toAbsolutePath();
    DataDirectory.prepare(absoluteDir);
    boolean existed = Files.exists(absoluteDir.resolve(CURRENT_FILE));
    long started = System.nanoTime();
    RocksDB.loadLibrary();
    RocksDbOptions options = new RocksDbOptions(walMode);
    List<ColumnFamilyHandle> families = new ArrayList<>();
    RocksDB db = null;
    try {
      db =
          RocksDB.open(
              options.db,
              absoluteDir.toString(),
              List.of(
                  new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, options.metadata),
                  new ColumnFamilyDescriptor(RECORDS_FAMILY, options.records),
                  new ColumnFamilyDescriptor(METADATA_FAMILY, options.metadata)),
              families);
      LiveUsage usage = new LiveUsage(limits);
      boolean recount = existed && !UsageMarker.take(db, families.get(2), options, usage);
      if (recount) {
        recount(db, families.get(1), options, usage);
      }
      log.info(
          "Opened RocksDB storage at {} in {} ms ({}): {} live keys, {} live bytes",
          absoluteDir,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
          !existed ? "new" : recount ? "counters recounted after an unclean stop" : "clean",
          usage.keys(),
          usage.bytes());
      return new RocksDbStorageEngine(
          absoluteDir, options, walMode, syncIntervalMillis, db, families, usage, recount);
    } catch (RocksDBException e) {
      closeAfterFailedOpen(families, db, options);
      throw RocksDbFailures.openFailure(absoluteDir, e);
    } catch (RuntimeException e) {
      closeAfterFailedOpen(families, db, options);
      throw e;
    }
  }

  @Override
  public WriteResult put(byte[] key, byte[] value, long timestamp) {
    return write(key, timestamp, false, value).result();
  }

  @Override
  public boolean remove(byte[] key, long timestamp) {
    return write(key, timestamp, true, EMPTY) == WriteOutcome.REPLACED_LIVE_VALUE;
  }

  @Override
  public VersionedRecord get(byte[] key) {
    VersionedRecord record = getRecord(key);
    return record == null || record.tombstone() ? null : record;
  }

  @Override
  public VersionedRecord getRecord(byte[] key) {
    StorageKey.requireValid(key);
    Lock shared = acquireOpen();
    try {
      byte[] encoded = db.get(records, key);
      return encoded == null ? null : decode(key, encoded);
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(dir, "read", e);
    } finally {
      shared.unlock();
    }
  }

  @Override
  public WriteResult apply(byte[] key, VersionedRecord record) {
    return write(key, record.timestamp(), record.tombstone(), record.value()).result();
  }

  /** Drops the records column family and creates it anew: quick whatever the amount of data. */
  @Override
  public void wipeout() {
    Lock exclusive = handles.writeLock();
    exclusive.lock();
    try {
      requireOpen();
      ColumnFamilyHandle wiped = records;
      db.dropColumnFamily(wiped);
      records = db.createColumnFamily(new ColumnFamilyDescriptor(RECORDS_FAMILY, options.records));
      wiped.close();
      recentHeaders.clear();
      usage.reset(0, 0);
      log.info("Wiped out every record in {}", dir);
    } catch (RocksDBException e) {
      throw new StorageException(
          "wipeout of "
              + dir
              + " failed: "
              + e.getMessage()
              + "; restart the node, which recreates the records column family if it is missing",
          e);
    } finally {
      exclusive.unlock();
    }
  }

  @Override
  public long keyCount() {
    return usage.keys();
  }

  @Override
  public long liveBytes() {
    return usage.bytes();
  }

  /** Sums the files in the data directory: tables, WAL, manifest and RocksDB's own log. */
  @Override
  public long diskBytes() {
    try (Stream<Path> files = Files.list(dir)) {
      // The node's space reserve (service.SpaceReserve) is free space set aside, not data.
      return files.filter(f -> !f.getFileName().toString().equals("space-reserve"))
          .mapToLong(DataDirectory::fileSize).sum();
    } catch (IOException e) {
      throw new StorageException(
          "cannot list data directory " + dir + ": " + e + "; check that it still exists", e);
    }
  }

  @Override
  public void flushWal() {
    if (walMode != WalMode.BUFFERED) {
      return; // every write did it before returning
    }
    Lock shared = acquireOpen();
    try {
      wal.flushNow();
    } finally {
      shared.unlock();
    }
  }

  @Override
  public void sync() {
    if (walMode == WalMode.FSYNC_EVERY_WRITE) {
      return;
    }
    Lock shared = acquireOpen();
    try {
      wal.syncNow();
    } finally {
      shared.unlock();
    }
  }

  @Override
  public byte[] scan(byte[] afterKey, int maxRecords, ScanSink sink) {
    Lock shared = acquireOpen();
    try (RocksIterator iterator = db.newIterator(records, options.scan)) {
      if (afterKey == null) {
        iterator.seekToFirst();
      } else {
        iterator.seek(afterKey);
        if (iterator.isValid() && Arrays.equals(iterator.key(), afterKey)) {
          iterator.next();
        }
      }
      byte[] last = null;
      for (int visited = 0; visited < maxRecords && iterator.isValid(); visited++, iterator.next()) {
        last = iterator.key();
        sink.accept(last, RecordCodec.decode(iterator.value()));
      }
      iterator.status();
      return iterator.isValid() ? last : null;
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(dir, "scan", e);
    } finally {
      shared.unlock();
    }
  }

  @Override
  public long collectTombstones(long olderThanTimestamp) {
    Lock shared = acquireOpen();
    try (RocksIterator iterator = db.newIterator(records, options.scan)) {
      long collected = 0;
      byte[] headerBytes = new byte[RecordCodec.HEADER_LENGTH];
      for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
        RecordHeader header = RecordCodec.decodeHeader(headerBytes, iterator.value(headerBytes));
        if (isCollectable(header, olderThanTimestamp)
            && deleteIfCollectable(iterator.key(), olderThanTimestamp)) {
          collected++;
        }
      }
      iterator.status();
      return collected;
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(dir, "tombstone collection", e);
    } finally {
      shared.unlock();
    }
  }

  /** Compacts all records into the last level: reclaims the space of overwritten versions. */
  public void compact() {
    Lock shared = acquireOpen();
    try {
      db.compactRange(records);
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(dir, "compaction", e);
    } finally {
      shared.unlock();
    }
  }

  /** Flushes, saves the counters for a quick next open and releases every native handle. */
  @Override
  public void close() {
    Lock exclusive = handles.writeLock();
    exclusive.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      wal.stop();
      try {
        db.flushWal(true); // first: buffered records must not depend on what follows succeeding
        UsageMarker.save(db, metadata, options, usage);
        db.flush(options.flush, List.of(records, metadata));
      } catch (RocksDBException e) {
        log.warn(
            "Could not flush the WAL or save the counters of {} on close ({}): the next open"
                + " replays the WAL and recounts them",
            dir,
            e.getMessage());
      }
      // Column families before the database, the database before its options.
      records.close();
      metadata.close();
      defaultFamily.close();
      db.close();
      options.close();
      log.info("Closed RocksDB storage in {}", dir);
    } finally {
      exclusive.unlock();
    }
  }

  /** Writes that found the stored version in {@link RecentHeaders} / had to read it. */
  long recentHeaderHits() {
    return recentHeaders.hits();
  }

  long recentHeaderMisses() {
    return recentHeaders.misses();
  }

  /** Whether open had to recount the counters because the last stop was not a clean close. */
  boolean countersRecounted() {
    return countersRecounted;
  }

  private WriteOutcome write(byte[] key, long timestamp, boolean tombstone, byte[] value) {
    StorageKey.requireValid(key);
    byte[] encoded = RecordCodec.encode(timestamp, tombstone, value);
    RecordHeader incoming = new RecordHeader(timestamp, tombstone, value.length);
    ReentrantLock keyLock = keyLocks.lockFor(key);
    Lock shared = acquireOpen();
    keyLock.lock();
    try {
      RecordHeader stored = recentHeaders.find(key);
      if (stored == RecentHeaders.MISS) {
        stored = readHeader(key);
        recentHeaders.remember(key, stored);
      }
      if (!RecordOrder.supersedes(incoming, value, stored, () -> storedValue(key))) {
        return WriteOutcome.STALE;
      }
      WriteOutcome outcome = usage.admit(stored, incoming);
      if (outcome.applied()) {
        try {
          db.put(records, options.write, key, encoded);
        } catch (RocksDBException e) {
          usage.revert(stored, incoming);
          recentHeaders.forget(key); // whether RocksDB kept the write is not known
          throw e;
        }
        recentHeaders.remember(key, incoming);
      }
      return outcome;
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(dir, "write", e);
    } finally {
      keyLock.unlock();
      shared.unlock();
    }
  }

  /** The stored value of a key (under its key lock): only for ties of timestamp and length. */
  private byte[] storedValue(byte[] key) {
    try {
      byte[] encoded = db.get(records, key);
      return encoded == null ? new byte[0] : RecordCodec.decode(encoded).value();
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(dir, "read", e);
    }
  }

  /** The stored version of a key without copying its value, or null if absent. */
  private RecordHeader readHeader(byte[] key) throws RocksDBException {
    byte[] headerBytes = new byte[RecordCodec.HEADER_LENGTH];
    int encodedLength = db.get(records, key, headerBytes);
    return encodedLength == RocksDB.NOT_FOUND
        ? null
        : RecordCodec.decodeHeader(headerBytes, encodedLength);
  }

  private static boolean isCollectable(RecordHeader header, long olderThanTimestamp) {
    return header != null && header.tombstone() && header.timestamp() < olderThanTimestamp;
  }

  /** Deletes a tombstone unless a write replaced it since the scan saw it. */
  private boolean deleteIfCollectable(byte[] key, long olderThanTimestamp) throws RocksDBException {
    ReentrantLock keyLock = keyLocks.lockFor(key);
    keyLock.lock();
    try {
      if (!isCollectable(readHeader(key), olderThanTimestamp)) {
        return false;
      }
      db.delete(records, options.write, key);
      recentHeaders.remember(key, null);
      return true;
    } finally {
      keyLock.unlock();
    }
  }

  private Lock acquireOpen() {
    Lock shared = handles.readLock();
    shared.lock();
    if (closed) {
      shared.unlock();
      requireOpen();
    }
    return shared;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException(
          "the storage engine for " + dir + " is closed; open a new one to use the data");
    }
  }

  private VersionedRecord decode(byte[] key, byte[] encoded) {
    try {
      return RecordCodec.decode(encoded);
    } catch (CorruptRecordException e) {
      throw new CorruptRecordException(
          "key " + HexFormat.of().formatHex(key) + " in " + dir + ": " + e.getMessage());
    }
  }

  /** Counts the live records by a full scan: about a second per million records. */
  private static void recount(
      RocksDB db, ColumnFamilyHandle records, RocksDbOptions options, LiveUsage usage)
      throws RocksDBException {
    try (RocksIterator iterator = db.newIterator(records, options.scan)) {
      byte[] headerBytes = new byte[RecordCodec.HEADER_LENGTH];
      for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
        usage.include(RecordCodec.decodeHeader(headerBytes, iterator.value(headerBytes)));
      }
      iterator.status();
    }
  }

  private static void closeAfterFailedOpen(
      List<ColumnFamilyHandle> families, RocksDB db, RocksDbOptions options) {
    families.forEach(ColumnFamilyHandle::close);
    if (db != null) {
      db.close();
    }
    options.close();
  }
}
