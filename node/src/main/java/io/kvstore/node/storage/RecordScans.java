package io.kvstore.node.storage;

import java.util.Arrays;
import java.util.concurrent.locks.Lock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Walks of the records family in key order: bounded scans (anti-entropy, range streaming, hint
 * delivery), tombstone collection and the recount of the counters after an unclean stop. Full
 * walks read without filling the block cache, so they do not evict the hot set.
 */
final class RecordScans {
  private final RocksDbHandles handles;
  private final KeyedRecords keyed;

  RecordScans(RocksDbHandles handles, KeyedRecords keyed) {
    this.handles = handles;
    this.keyed = keyed;
  }

  /** See {@link StorageEngine#scan}. */
  byte[] scan(byte[] afterKey, int maxRecords, StorageEngine.ScanSink sink) {
    Lock shared = handles.acquireOpen();
    try (RocksIterator iterator = handles.db.newIterator(handles.records(), handles.options.scan)) {
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
        sink.accept(last, RecordCodec.decode(keyed.valueUnderKeyLock(last, iterator)));
      }
      iterator.status();
      return iterator.isValid() ? last : null;
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(handles.dir, "scan", e);
    } finally {
      shared.unlock();
    }
  }

  /** See {@link StorageEngine#collectTombstones}: each delete re-checks the key under its lock. */
  long collectTombstones(long olderThanTimestamp) {
    Lock shared = handles.acquireOpen();
    try (RocksIterator iterator = handles.db.newIterator(handles.records(), handles.options.scan)) {
      long collected = 0;
      byte[] headerBytes = new byte[RecordCodec.HEADER_LENGTH];
      for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
        // Read without the key's lock, so possibly mid-update: only a hint, re-checked under it.
        RecordHeader header = RecordCodec.decodeHeader(headerBytes, iterator.value(headerBytes));
        if (KeyedRecords.isCollectable(header, olderThanTimestamp)
            && keyed.deleteIfCollectable(iterator.key(), olderThanTimestamp)) {
          collected++;
        }
      }
      iterator.status();
      return collected;
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(handles.dir, "tombstone collection", e);
    } finally {
      shared.unlock();
    }
  }

  /** Counts the live records by a full scan: about a second per million records. */
  static void recount(RocksDB db, ColumnFamilyHandle records, RocksDbOptions options, LiveUsage usage)
      throws RocksDBException {
    try (RocksIterator iterator = db.newIterator(records, options.scan)) {
      byte[] headerBytes = new byte[RecordCodec.HEADER_LENGTH];
      for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
        usage.include(RecordCodec.decodeHeader(headerBytes, iterator.value(headerBytes)));
      }
      iterator.status();
    }
  }
}
