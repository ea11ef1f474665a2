package io.kvstore.node.storage;

import java.util.Arrays;
import java.util.Map;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * A storage engine in a {@link ConcurrentHashMap}, for tests, simulations and {@code --memory}
 * nodes: same semantics as the durable engine, nothing survives the process.
 *
 * <p>Each write runs inside the map's per-key {@code compute}, so the last-writer-wins decision,
 * the quota accounting and the store are atomic for that key. Values are copied in and out, so
 * callers may reuse their buffers and cannot change stored data by accident.
 */
public final class MemoryStorageEngine implements StorageEngine {
  private final ConcurrentHashMap<StorageKey, VersionedRecord> records = new ConcurrentHashMap<>();
  /** The keys in unsigned order, for scans (anti-entropy walks stores of 100,000s of keys). */
  private final ConcurrentSkipListSet<StorageKey> order =
      new ConcurrentSkipListSet<>((a, b) -> Arrays.compareUnsigned(a.bytes(), b.bytes()));
  private final LiveUsage usage;

  public MemoryStorageEngine(StorageLimits limits) {
    this.usage = new LiveUsage(limits);
  }

  @Override
  public WriteResult put(byte[] key, byte[] value, long timestamp) {
    return write(key, VersionedRecord.live(timestamp, value.clone())).result();
  }

  @Override
  public boolean remove(byte[] key, long timestamp) {
    return write(key, VersionedRecord.tombstone(timestamp)) == WriteOutcome.REPLACED_LIVE_VALUE;
  }

  @Override
  public VersionedRecord get(byte[] key) {
    VersionedRecord record = getRecord(key);
    return record == null || record.tombstone() ? null : record;
  }

  /** The stored record's own array: stored values are copies no one modifies. */
  @Override
  public boolean readValue(byte[] key, ValueSink sink) {
    VersionedRecord record = records.get(StorageKey.copyOf(key));
    if (record == null || record.tombstone()) {
      return false;
    }
    sink.accept(record.value(), 0, record.value().length);
    return true;
  }

  @Override
  public VersionedRecord getRecord(byte[] key) {
    VersionedRecord record = records.get(StorageKey.copyOf(key));
    return record == null ? null : copyOf(record);
  }

  @Override
  public WriteResult apply(byte[] key, VersionedRecord record) {
    RecordCodec.requireEmptyTombstone(record.tombstone(), record.value().length);
    return write(key, copyOf(record)).result();
  }

  /** Walks the ordered key set; a key written during the scan may or may not be visited. */
  @Override
  public byte[] scan(byte[] afterKey, int maxRecords, ScanSink sink) {
    Iterator<StorageKey> keys =
        (afterKey == null ? order : order.tailSet(StorageKey.copyOf(afterKey), false)).iterator();
    byte[] last = null;
    for (int visited = 0; visited < maxRecords && keys.hasNext(); visited++) {
      StorageKey key = keys.next();
      last = key.bytes();
      VersionedRecord record = records.get(key);
      if (record != null) {
        sink.accept(key.bytes().clone(), copyOf(record));
      }
    }
    return keys.hasNext() && last != null ? last.clone() : null;
  }

  @Override
  public void wipeout() {
    // Entry by entry, so that writes racing with the wipeout keep the counters exact.
    for (StorageKey key : records.keySet()) {
      VersionedRecord removed = records.remove(key);
      if (removed != null) {
        usage.release(RecordHeader.of(removed));
      }
      forget(key);
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

  @Override
  public long diskBytes() {
    return 0;
  }

  @Override
  public void flushWal() {
    // Nothing leaves the process, so there is nothing to hand over.
  }

  @Override
  public void sync() {
    // Nothing is durable, so there is nothing to wait for.
  }

  @Override
  public long collectTombstones(long olderThanTimestamp) {
    long collected = 0;
    for (Map.Entry<StorageKey, VersionedRecord> entry : records.entrySet()) {
      VersionedRecord record = entry.getValue();
      // remove(key, value) skips the entry if a newer write replaced the tombstone meanwhile.
      if (record.tombstone()
          && record.timestamp() < olderThanTimestamp
          && records.remove(entry.getKey(), record)) {
        forget(entry.getKey());
        collected++;
      }
    }
    return collected;
  }

  @Override
  public void close() {
    // No resources beyond the heap; the map goes with the engine.
  }

  private WriteOutcome write(byte[] key, VersionedRecord incoming) {
    RecordHeader incomingHeader = RecordHeader.of(incoming);
    WriteOutcome[] outcome = new WriteOutcome[1];
    records.compute(
        StorageKey.copyOf(key),
        (k, stored) -> {
          RecordHeader storedHeader = stored == null ? null : RecordHeader.of(stored);
          outcome[0] =
              RecordOrder.supersedes(incomingHeader, incoming.value(), storedHeader, stored == null ? null : stored::value)
                  ? usage.admit(storedHeader, incomingHeader)
                  : WriteOutcome.STALE;
          return outcome[0].applied() ? incoming : stored;
        });
    if (outcome[0].applied()) {
      order.add(StorageKey.copyOf(key));
    }
    return outcome[0];
  }

  /** Drops a removed key from the scan order, unless a write brought it back meanwhile. */
  private void forget(StorageKey key) {
    order.remove(key);
    if (records.containsKey(key)) {
      order.add(key);
    }
  }

  private static VersionedRecord copyOf(VersionedRecord record) {
    return new VersionedRecord(record.timestamp(), record.tombstone(), record.value().clone());
  }
}
