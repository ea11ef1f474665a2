package io.kvstore.node.storage;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The write path of the RocksDB engine: last writer wins by {@link RecordOrder}, exact live
 * counters ({@link LiveUsage}) and the store, atomic per key under a lock striped by key hash,
 * which covers only that read-modify-write. The version a write replaces comes from
 * {@link RecentHeaders} when the key was written recently, else from a read of its header.
 */
final class VersionedWrites {
  private static final int KEY_STRIPES = 1024;

  private final RocksDbHandles handles;
  private final LiveUsage usage;
  private final KeyStripes keyLocks = new KeyStripes(KEY_STRIPES);
  /** 65,536 slots, 2.9 MB of heap: most of a 10,000-key working set writes without a read. */
  private final RecentHeaders recentHeaders = new RecentHeaders(1 << 16, KEY_STRIPES);

  VersionedWrites(RocksDbHandles handles, LiveUsage usage) {
    this.handles = handles;
    this.usage = usage;
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
          handles.db.put(handles.records(), handles.options.write, key, encoded);
        } catch (RocksDBException e) {
          usage.revert(stored, incoming);
          recentHeaders.forget(key); // whether RocksDB kept the write is not known
          throw e;
        }
        recentHeaders.remember(key, incoming);
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
      handles.db.delete(handles.records(), handles.options.write, key);
      recentHeaders.remember(key, null);
      return true;
    } finally {
      keyLock.unlock();
    }
  }

  static boolean isCollectable(RecordHeader header, long olderThanTimestamp) {
    return header != null && header.tombstone() && header.timestamp() < olderThanTimestamp;
  }

  /** Forgets every remembered header (wipeout; the caller holds the exclusive lock). */
  void forgetAll() {
    recentHeaders.clear();
  }

  /** Writes that found the stored version in {@link RecentHeaders} / had to read it. */
  long recentHeaderHits() {
    return recentHeaders.hits();
  }

  long recentHeaderMisses() {
    return recentHeaders.misses();
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
