package io.kvstore.node.storage;

import java.util.HexFormat;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Every per-key read and write of the RocksDB engine, each under a lock striped by key hash.
 * Writes: last writer wins by {@link RecordOrder}, exact live counters ({@link LiveUsage}) and the
 * store, atomic per key; the version a write replaces comes from {@link RecentRecords} when the
 * key was used recently, else from a read of its header. Reads: from {@link RecentRecords} when
 * it holds the key's record, else from RocksDB, and the record read is held for the next read.
 * {@link #writeAll}: a batch of writes under all their stripes, in one RocksDB write.
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
      byte[] encoded = storedRecord(key);
      return encoded == null ? null : decode(key, encoded);
    } finally {
      keyLock.unlock();
      shared.unlock();
    }
  }

  /**
   * Hands the live value of a key to {@code sink} from the stored record itself, as {@link #read}
   * finds it, without decoding a copy. Under the key's lock from the lookup until the sink
   * returns, so a write or an eviction of the key's slot cannot come between them.
   *
   * @return false if the key is absent or deleted
   */
  boolean readValue(byte[] key, StorageEngine.ValueSink sink) {
    StorageKey.requireValid(key);
    Lock shared = handles.acquireOpen();
    ReentrantLock keyLock = keyLocks.lockFor(key);
    keyLock.lock();
    try {
      byte[] encoded = storedRecord(key);
      int length = encoded == null ? -1 : liveValueLength(key, encoded);
      if (length < 0) {
        return false;
      }
      sink.accept(encoded, RecordCodec.HEADER_LENGTH, length);
      return true;
    } finally {
      keyLock.unlock();
      shared.unlock();
    }
  }

  /**
   * The encoded stored record of a key (never to be modified), or null if absent: the held one,
   * else read from RocksDB and held for the next read. Under the key's lock.
   */
  private byte[] storedRecord(byte[] key) {
    byte[] held = recentRecords.findEncoded(key);
    if (held != null) {
      return held == RecentRecords.ABSENT_RECORD ? null : held;
    }
    try {
      byte[] encoded = handles.db.get(handles.records(), key);
      recentRecords.remember(key, encoded == null ? null : header(key, encoded), encoded);
      return encoded;
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(handles.dir, "read", e);
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
   * Writes {@code count} live versions in order, each with the outcome {@link #write} would give
   * it one after the other, in one RocksDB write: one write group and one WAL record for all of
   * them instead of one each. The keys' stripes are all locked for it, in ascending order (any
   * thread holding several stripes took them in that order, so two batches cannot deadlock); a
   * key met earlier in the batch is checked against that earlier version, which RocksDB does not
   * hold yet. Nothing is remembered in {@link RecentRecords} before RocksDB has the whole batch.
   * If RocksDB refuses the batch, none of it is stored: each version is then written alone, so
   * that each gets exactly the outcome, or the failure (in {@code failures}), that {@link #write}
   * gives it.
   */
  void writeAll(byte[][] keys, long[] timestamps, byte[][] values, int count,
      WriteOutcome[] outcomes, RuntimeException[] failures) {
    java.util.Arrays.fill(failures, 0, count, null);
    if (count <= 1 || !allValid(keys, count)) {
      for (int i = 0; i < count; i++) {
        writeAlone(keys, timestamps, values, i, outcomes, failures);
      }
      return;
    }
    int[] stripes = new int[count];
    for (int i = 0; i < count; i++) {
      stripes[i] = keyLocks.indexOf(keys[i]);
    }
    int[] order = java.util.Arrays.copyOf(stripes, count);
    java.util.Arrays.sort(order);
    Lock shared = handles.acquireOpen();
    int locked = 0;
    try {
      for (int i = 0; i < count; i++) {
        if (i == 0 || order[i] != order[i - 1]) {
          keyLocks.lock(order[i]).lock();
          order[locked++] = order[i];
        }
      }
      RecordHeader[] stored = new RecordHeader[count];
      RecordHeader[] incoming = new RecordHeader[count];
      byte[][] encoded = new byte[count][];
      boolean written = false;
      try (WriteBatch batch = new WriteBatch()) {
        boolean any = false;
        for (int i = 0; i < count; i++) {
          incoming[i] = new RecordHeader(timestamps[i], false, values[i].length);
          int earlier = earlierApplied(keys, stripes, encoded, i);
          byte[] key = keys[i];
          RecordHeader st;
          Supplier<byte[]> storedValue;
          if (earlier >= 0) {
            st = incoming[earlier];
            byte[] earlierValue = values[earlier];
            storedValue = () -> earlierValue;
          } else {
            st = recentRecords.find(key);
            if (st == RecentRecords.MISS) {
              st = readHeader(key);
              recentRecords.remember(key, st);
            }
            storedValue = () -> storedValue(key);
          }
          stored[i] = st;
          if (!RecordOrder.supersedes(incoming[i], values[i], st, storedValue)) {
            outcomes[i] = WriteOutcome.STALE;
            continue;
          }
          outcomes[i] = usage.admit(st, incoming[i]);
          if (outcomes[i].applied()) {
            encoded[i] = RecordCodec.encode(timestamps[i], false, values[i]);
            batch.put(handles.records(), key, encoded[i]);
            any = true;
          }
        }
        if (any) {
          wal.beginWrite();
          try {
            handles.db.write(handles.options.write, batch);
          } finally {
            wal.endWrite();
          }
        }
        written = true;
      } catch (RocksDBException | RuntimeException e) {
        // Nothing of the batch is stored (a write batch is atomic): undo, then one at a time.
      }
      if (!written) {
        for (int i = count - 1; i >= 0; i--) {
          if (encoded[i] != null) {
            usage.revert(stored[i], incoming[i]);
            recentRecords.forget(keys[i]); // as write does: whether RocksDB kept it is not known
          }
        }
        for (int i = 0; i < count; i++) {
          writeAlone(keys, timestamps, values, i, outcomes, failures);
        }
        return;
      }
      for (int i = 0; i < count; i++) {
        if (encoded[i] != null) {
          recentRecords.remember(keys[i], incoming[i], encoded[i]); // in order: the last one stays
        }
      }
    } finally {
      for (int i = locked - 1; i >= 0; i--) {
        keyLocks.lock(order[i]).unlock();
      }
      shared.unlock();
    }
  }

  private static boolean allValid(byte[][] keys, int count) {
    for (int i = 0; i < count; i++) {
      if (keys[i] == null || keys[i].length != io.kvstore.protocol.Wire.KEY_LENGTH) {
        return false;
      }
    }
    return true;
  }

  /** The last version before {@code i} in the batch that is to be stored for the same key, or -1. */
  private static int earlierApplied(byte[][] keys, int[] stripes, byte[][] encoded, int i) {
    for (int j = i - 1; j >= 0; j--) {
      if (encoded[j] != null && stripes[j] == stripes[i] && java.util.Arrays.equals(keys[j], keys[i])) {
        return j;
      }
    }
    return -1;
  }

  private void writeAlone(byte[][] keys, long[] timestamps, byte[][] values, int i,
      WriteOutcome[] outcomes, RuntimeException[] failures) {
    try {
      outcomes[i] = write(keys[i], timestamps[i], false, values[i]);
    } catch (RuntimeException e) {
      outcomes[i] = null;
      failures[i] = e;
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
      throw corrupt(key, e);
    }
  }

  private RecordHeader header(byte[] key, byte[] encoded) {
    try {
      return RecordCodec.decodeHeader(encoded, encoded.length);
    } catch (CorruptRecordException e) {
      throw corrupt(key, e);
    }
  }

  private int liveValueLength(byte[] key, byte[] encoded) {
    try {
      return RecordCodec.liveValueLength(encoded);
    } catch (CorruptRecordException e) {
      throw corrupt(key, e);
    }
  }

  private CorruptRecordException corrupt(byte[] key, CorruptRecordException e) {
    return new CorruptRecordException(
        "key " + HexFormat.of().formatHex(key) + " in " + handles.dir + ": " + e.getMessage());
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
