package io.kvstore.node.storage;

import java.util.HexFormat;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Every per-key read and write of the RocksDB engine, each under a lock striped by key hash.
 * Writes: last writer wins by {@link RecordOrder}, exact live counters ({@link LiveUsage}) and the
 * store, atomic per key; the version a write replaces comes from {@link RecentRecords} when the
 * key was used recently, else from a read of its header. Reads: from {@link RecentRecords} when
 * it holds the key's record, else from RocksDB, and the record read is held for the next read.
 */
final class KeyedRecords {
  private static final int KEY_STRIPES = 1024;

  /** Larger records are read from RocksDB: a few 15,000-byte values would take the budget. */
  private static final int MAX_RECENT_RECORD_LENGTH = 1024;
  /** An eighth of the node's default 64 MB heap, at most; less under a smaller heap. */
  private static final long RECENT_RECORD_BYTES =
      Math.min(8L << 20, Runtime.getRuntime().maxMemory() / 8);

  private final RocksDbHandles handles;
  private final LiveUsage usage;
  private final KeyStripes keyLocks = new KeyStripes(KEY_STRIPES);
  /**
   * 65,536 slots in sets of 4 (3.1 MB of heap) plus the records held, at most
   * {@link #RECENT_RECORD_BYTES}: a 10,000-key working set of 100-byte values writes without a
   * read and reads without RocksDB.
   */
  private final RecentRecords recentRecords = new RecentRecords(
      1 << 14, 4, KEY_STRIPES, MAX_RECENT_RECORD_LENGTH, RECENT_RECORD_BYTES);

  /** Counts every write into RocksDB, so that a flush with nothing new costs nothing. */
  private final WalDurability wal;

  KeyedRecords(RocksDbHandles handles, LiveUsage usage, WalDurability wal) {
    this.handles = handles;
    this.usage = usage;
    this.wal = wal;
  }

  /**
   * The stored record of a key (tombstones included), null if absent. A held record is decoded
   * without calling RocksDB; one read from RocksDB is held for the next read (under the key's
   * lock, so a write cannot slip in between the read and the holding).
   */
  VersionedRecord read(byte[] key) {
    StorageKey.requireValid(key);
    Lock shared = handles.acquireOpen();
    ReentrantLock keyLock = keyLocks.lockFor(key);
    keyLock.lock();
    try {
      byte[] held = recentRecords.findEncoded(key);
      if (held == RecentRecords.ABSENT_RECORD) {
        return null;
      }
      if (held != null) {
        return decode(key, held);
      }
      byte[] encoded = handles.db.get(handles.records(), key);
      if (encoded == null) {
        recentRecords.remember(key, null);
        return null;
      }
      VersionedRecord record = decode(key, encoded);
      recentRecords.remember(key,
          new RecordHeader(record.timestamp(), record.tombstone(), record.value().length), encoded);
      return record;
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(handles.dir, "read", e);
    } finally {
      keyLock.unlock();
      shared.unlock();
    }
  }

  /** Stores the version if it supersedes the stored one and the quota admits it. */
  WriteOutcome write(byte[] key, long timestamp, boolean tombstone, byte[] value) {
    StorageKey.requireValid(key);
    byte[] encoded = RecordCodec.encode(timestamp, tombstone, value);
    RecordHeader incoming = new RecordHeader(timestamp, tombstone, value.length);
    ReentrantLock keyLock = keyLocks.lockFor(key);
    Lock shared = handles.acquireOpen();
    keyLock.lock();
    try {
      RecordHeader stored = recentRecords.find(key);
      if (stored == RecentRecords.MISS) {
        stored = readHeader(key);
        recentRecords.remember(key, stored);
      }
      if (!RecordOrder.supersedes(incoming, value, stored, () -> storedValue(key))) {
        return WriteOutcome.STALE;
      }
      WriteOutcome outcome = usage.admit(stored, incoming);
      if (outcome.applied()) {
        wal.beginWrite();
        try {
          handles.db.put(handles.records(), handles.options.write, key, encoded);
        } catch (RocksDBException e) {
          usage.revert(stored, incoming);
          recentRecords.forget(key); // whether RocksDB kept the write is not known
          throw e;
        } finally {
          wal.endWrite();
        }
        recentRecords.remember(key, incoming, encoded); // RocksDB copied it; nothing changes it
      }
      return outcome;
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(handles.dir, "write", e);
    } finally {
      keyLock.unlock();
      shared.unlock();
    }
  }

  /**
   * Deletes a tombstone unless a write replaced it since a scan saw it; the caller holds the
   * shared lock.
   */
  boolean deleteIfCollectable(byte[] key, long olderThanTimestamp) throws RocksDBException {
    ReentrantLock keyLock = keyLocks.lockFor(key);
    keyLock.lock();
    try {
      if (!isCollectable(readHeader(key), olderThanTimestamp)) {
        return false;
      }
      wal.beginWrite();
      try {
        handles.db.delete(handles.records(), handles.options.write, key);
      } finally {
        wal.endWrite();
      }
      recentRecords.remember(key, null);
      return true;
    } finally {
      keyLock.unlock();
    }
  }

  /**
   * The value an iterator stands on, copied under its key's lock: the records family updates
   * values in place (RocksDbOptions), so without it a write could change the bytes mid-copy.
   */
  byte[] valueUnderKeyLock(byte[] key, RocksIterator iterator) {
    ReentrantLock keyLock = keyLocks.lockFor(key);
    keyLock.lock();
    try {
      return iterator.value();
    } finally {
      keyLock.unlock();
    }
  }

  static boolean isCollectable(RecordHeader header, long olderThanTimestamp) {
    return header != null && header.tombstone() && header.timestamp() < olderThanTimestamp;
  }

  /** Forgets every remembered version (wipeout; the caller holds the exclusive lock). */
  void forgetAll() {
    recentRecords.clear();
  }

  /** Writes that found the stored version in {@link RecentRecords} / had to read it. */
  long recentHeaderHits() {
    return recentRecords.hits();
  }

  long recentHeaderMisses() {
    return recentRecords.misses();
  }

  RecordCacheStats recordCacheStats() {
    return new RecordCacheStats(recentRecords.readHits(), recentRecords.readMisses(),
        recentRecords.heldBytes(), recentRecords.maxHeldBytes());
  }

  private VersionedRecord decode(byte[] key, byte[] encoded) {
    try {
      return RecordCodec.decode(encoded);
    } catch (CorruptRecordException e) {
      throw new CorruptRecordException(
          "key " + HexFormat.of().formatHex(key) + " in " + handles.dir + ": " + e.getMessage());
    }
  }

  /** The stored value of a key (under its key lock): only for ties of timestamp and length. */
  private byte[] storedValue(byte[] key) {
    try {
      byte[] encoded = handles.db.get(handles.records(), key);
      return encoded == null ? new byte[0] : RecordCodec.decode(encoded).value();
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(handles.dir, "read", e);
    }
  }

  /** The stored version of a key without copying its value, or null if absent. */
  private RecordHeader readHeader(byte[] key) throws RocksDBException {
    byte[] headerBytes = new byte[RecordCodec.HEADER_LENGTH];
    int encodedLength = handles.db.get(handles.records(), key, headerBytes);
    return encodedLength == RocksDB.NOT_FOUND
        ? null
        : RecordCodec.decodeHeader(headerBytes, encodedLength);
  }
}
