package io.kvstore.node.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.stream.Stream;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable storage engine: records in RocksDB, one column family for user records and one for
 * the engine's own metadata (so no user key can collide with it). Its parts: {@link RocksDbHandles}
 * (the native handles and the lock that guards their release), {@link KeyedRecords} (every read
 * and write of a key), {@link RecordScans} (walks in key order), {@link WalDurability} (the WAL to the OS and to
 * disk), {@link RocksDbOptions} (the tuning).
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
 * <p><b>Exact counters.</b> Live key count and live bytes are kept in memory ({@link LiveUsage}),
 * changed atomically with each write by {@link KeyedRecords}. On a clean close the counters are
 * saved in the metadata column family; on open they are loaded and the entry deleted, so its
 * absence on the next open means the node did not close cleanly, and the counters are recounted by
 * a scan.
 *
 * <p><b>Concurrency.</b> Operations share a read lock; {@link #wipeout()} and {@link #close()} take
 * it exclusively, because they replace or free native handles that a concurrent operation would
 * otherwise use after release (which crashes the JVM rather than throwing).
 */
public final class RocksDbStorageEngine implements StorageEngine {
  private static final long WAL_SYNC_INTERVAL_MILLIS = 100;
  private static final byte[] EMPTY = new byte[0];

  /** RocksDB's pointer to the current manifest: present once a database exists in a directory. */
  private static final String CURRENT_FILE = "CURRENT";

  private static final Logger log = LoggerFactory.getLogger(RocksDbStorageEngine.class);

  private final RocksDbHandles handles;
  private final WalMode walMode;
  private final LiveUsage usage;
  private final boolean countersRecounted;
  private final KeyedRecords keyed;
  private final RecordScans scans;
  private final WalDurability wal;

  private RocksDbStorageEngine(RocksDbHandles handles, WalMode walMode, long syncIntervalMillis,
      LiveUsage usage, boolean countersRecounted) {
    this.handles = handles;
    this.walMode = walMode;
    this.usage = usage;
    this.countersRecounted = countersRecounted;
    this.wal = new WalDurability(
        handles.db, handles.dir, syncIntervalMillis, handles.sharedLock(), handles::closed);
    this.keyed = new KeyedRecords(handles, usage, wal);
    this.scans = new RecordScans(handles, keyed);
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
    RocksDbHandles handles;
    try {
      handles = RocksDbHandles.open(absoluteDir, new RocksDbOptions(walMode));
    } catch (RocksDBException e) {
      throw RocksDbFailures.openFailure(absoluteDir, e);
    }
    try {
      LiveUsage usage = new LiveUsage(limits);
      boolean recount =
          existed && !UsageMarker.take(handles.db, handles.metadata, handles.options, usage);
      if (recount) {
        RecordScans.recount(handles.db, handles.records(), handles.options, usage);
      }
      log.info(
          "Opened RocksDB storage at {} in {} ms ({}): {} live keys, {} live bytes",
          absoluteDir,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
          !existed ? "new" : recount ? "counters recounted after an unclean stop" : "clean",
          usage.keys(),
          usage.bytes());
      return new RocksDbStorageEngine(handles, walMode, syncIntervalMillis, usage, recount);
    } catch (RocksDBException e) {
      handles.release();
      throw RocksDbFailures.openFailure(absoluteDir, e);
    } catch (RuntimeException e) {
      handles.release();
      throw e;
    }
  }

  @Override
  public WriteResult put(byte[] key, byte[] value, long timestamp) {
    return keyed.write(key, timestamp, false, value).result();
  }

  /** One RocksDB write (one write group, one WAL record) for all of them: {@link KeyedRecords#writeAll}. */
  @Override
  public void putAll(byte[][] keys, byte[][] values, long[] timestamps, int count,
      WriteResult[] results, RuntimeException[] failures) {
    WriteOutcome[] outcomes = new WriteOutcome[count];
    try {
      keyed.writeAll(keys, timestamps, values, count, outcomes, failures);
    } catch (RuntimeException e) { // the engine closed: every put would have thrown it
      java.util.Arrays.fill(failures, 0, count, e);
    }
    for (int i = 0; i < count; i++) {
      results[i] = failures[i] == null ? outcomes[i].result() : null;
    }
  }

  @Override
  public boolean remove(byte[] key, long timestamp) {
    return keyed.write(key, timestamp, true, EMPTY) == WriteOutcome.REPLACED_LIVE_VALUE;
  }

  @Override
  public WriteResult apply(byte[] key, VersionedRecord record) {
    return keyed.write(key, record.timestamp(), record.tombstone(), record.value()).result();
  }

  @Override
  public VersionedRecord get(byte[] key) {
    VersionedRecord record = getRecord(key);
    return record == null || record.tombstone() ? null : record;
  }

  @Override
  public VersionedRecord getRecord(byte[] key) {
    return keyed.read(key);
  }

  @Override
  public boolean readValue(byte[] key, ValueSink sink) {
    return keyed.readValue(key, sink);
  }

  @Override
  public byte[] scan(byte[] afterKey, int maxRecords, ScanSink sink) {
    return scans.scan(afterKey, maxRecords, sink);
  }

  @Override
  public long collectTombstones(long olderThanTimestamp) {
    return scans.collectTombstones(olderThanTimestamp);
  }

  /** Drops the records column family and creates it anew: quick whatever the amount of data. */
  @Override
  public void wipeout() {
    Lock exclusive = handles.acquireExclusive();
    try {
      handles.requireOpen();
      handles.replaceRecords();
      keyed.forgetAll();
      usage.reset(0, 0);
      log.info("Wiped out every record in {}", handles.dir);
    } catch (RocksDBException e) {
      throw new StorageException(
          "wipeout of "
              + handles.dir
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
    try (Stream<Path> files = Files.list(handles.dir)) {
      // The node's space reserve (service.SpaceReserve) is free space set aside, not data.
      return files.filter(f -> !f.getFileName().toString().equals("space-reserve"))
          .mapToLong(DataDirectory::fileSize).sum();
    } catch (IOException e) {
      throw new StorageException(
          "cannot list data directory " + handles.dir + ": " + e + "; check that it still exists",
          e);
    }
  }

  @Override
  public void flushWal() {
    if (walMode != WalMode.BUFFERED || wal.nothingToFlush()) {
      return; // every write did it before returning / nothing was written since the last flush
    }
    Lock shared = handles.acquireOpen();
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
    Lock shared = handles.acquireOpen();
    try {
      wal.syncNow();
    } finally {
      shared.unlock();
    }
  }

  /** Compacts all records into the last level: reclaims the space of overwritten versions. */
  public void compact() {
    Lock shared = handles.acquireOpen();
    try {
      handles.db.compactRange(handles.records());
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(handles.dir, "compaction", e);
    } finally {
      shared.unlock();
    }
  }

  /** Flushes, saves the counters for a quick next open and releases every native handle. */
  @Override
  public void close() {
    Lock exclusive = handles.acquireExclusive();
    try {
      if (handles.closed()) {
        return;
      }
      wal.stop();
      try {
        handles.db.flushWal(true); // first: buffered records must not depend on what follows
        UsageMarker.save(handles.db, handles.metadata, handles.options, usage);
        handles.db.flush(handles.options.flush, List.of(handles.records(), handles.metadata));
      } catch (RocksDBException e) {
        log.warn(
            "Could not flush the WAL or save the counters of {} on close ({}): the next open"
                + " replays the WAL and recounts them",
            handles.dir,
            e.getMessage());
      }
      handles.release();
      log.info("Closed RocksDB storage in {}", handles.dir);
    } finally {
      exclusive.unlock();
    }
  }

  @Override
  public RecordCacheStats recordCacheStats() {
    return keyed.recordCacheStats();
  }

  /** Writes that found the stored version in {@link RecentRecords} / had to read it. */
  long recentHeaderHits() {
    return keyed.recentHeaderHits();
  }

  long recentHeaderMisses() {
    return keyed.recentHeaderMisses();
  }

  /** Entries in the records family's active memtable, versions included (tests). */
  long activeMemtableEntries() {
    Lock shared = handles.acquireOpen();
    try {
      return handles.db.getLongProperty(handles.records(), "rocksdb.num-entries-active-mem-table");
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(handles.dir, "property read", e);
    } finally {
      shared.unlock();
    }
  }

  /** Writes handed to RocksDB so far, a putAll counting once (tests). */
  long storeWrites() {
    return wal.writesBegun();
  }

  /** Whether a write may still wait in RocksDB's WAL buffer (tests). */
  boolean mayHaveBufferedWrites() {
    return !wal.nothingToFlush();
  }

  /** Whether open had to recount the counters because the last stop was not a clean close. */
  boolean countersRecounted() {
    return countersRecounted;
  }
}
