package io.kvstore.node.service;

import io.kvstore.node.storage.DiskFullException;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.ResponseCode;

/**
 * Executes client key commands against local storage: stamps writes with the hybrid logical
 * clock and enforces the free-disk threshold. Quotas on keys and bytes live in the engine, where
 * they can be checked atomically with the write.
 */
public final class KeyValueService {
  private final StorageEngine storage;
  private final HybridLogicalClock clock;
  private final DiskSpaceGuard disk;

  public KeyValueService(StorageEngine storage, HybridLogicalClock clock, DiskSpaceGuard disk) {
    this.storage = storage;
    this.clock = clock;
    this.disk = disk;
  }

  public ResponseCode put(byte[] key, byte[] value) {
    if (disk.isLow()) {
      return ResponseCode.OUT_OF_SPACE;
    }
    try {
      return switch (storage.put(key, value, clock.now())) {
        case APPLIED, STALE -> ResponseCode.SUCCESS;
        case OUT_OF_SPACE -> ResponseCode.OUT_OF_SPACE;
      };
    } catch (DiskFullException e) {
      disk.diskFull(); // the disk filled faster than the guard looked
      return ResponseCode.OUT_OF_SPACE;
    }
  }

  /**
   * Puts {@code count} values in order, as {@link #put} one by one would: each reply code goes into
   * {@code codes[i]}; where {@code put} would have thrown, the code is null and the exception is
   * in {@code failures[i]}. The engine may store them in one write.
   */
  public void putAll(byte[][] keys, byte[][] values, int count, ResponseCode[] codes,
      RuntimeException[] failures) {
    if (disk.isLow()) {
      java.util.Arrays.fill(codes, 0, count, ResponseCode.OUT_OF_SPACE);
      java.util.Arrays.fill(failures, 0, count, null);
      return;
    }
    long[] timestamps = new long[count];
    for (int i = 0; i < count; i++) {
      timestamps[i] = clock.now();
    }
    StorageEngine.WriteResult[] results = new StorageEngine.WriteResult[count];
    storage.putAll(keys, values, timestamps, count, results, failures);
    for (int i = 0; i < count; i++) {
      if (failures[i] instanceof DiskFullException) {
        disk.diskFull(); // the disk filled faster than the guard looked
        failures[i] = null;
        codes[i] = ResponseCode.OUT_OF_SPACE;
      } else if (failures[i] != null) {
        codes[i] = null;
      } else {
        codes[i] = results[i] == StorageEngine.WriteResult.OUT_OF_SPACE
            ? ResponseCode.OUT_OF_SPACE
            : ResponseCode.SUCCESS; // APPLIED, STALE
      }
    }
  }

  /** The value, or null if the key is absent. */
  public byte[] get(byte[] key) {
    VersionedRecord record = storage.get(key);
    return record == null ? null : record.value();
  }

  /**
   * Hands the live value of a key to {@code sink} (which copies it out at once) without a copy of
   * its own; false if the key is absent.
   */
  public boolean readValue(byte[] key, StorageEngine.ValueSink sink) {
    return storage.readValue(key, sink);
  }

  /** Deletes must work on a full disk: on "no space" the reserve is freed and the write retried. */
  public ResponseCode remove(byte[] key) {
    boolean removed;
    try {
      removed = storage.remove(key, clock.now());
    } catch (DiskFullException e) {
      disk.diskFull();
      removed = storage.remove(key, clock.now());
    }
    return removed ? ResponseCode.SUCCESS : ResponseCode.NOT_FOUND;
  }

  public void wipeout() {
    storage.wipeout();
  }

  /** Hands the writes executed so far to the operating system before they are acknowledged. */
  public void flushWal() {
    storage.flushWal();
  }

  /** Group commit: makes the writes executed so far durable on disk before they are acknowledged. */
  public void sync() {
    storage.sync();
  }

  public StorageEngine storage() {
    return storage;
  }
}
