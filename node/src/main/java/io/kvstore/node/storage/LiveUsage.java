package io.kvstore.node.storage;

import io.kvstore.protocol.Wire;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Exact count of live keys and live bytes (key plus value of every non-tombstone record), and the
 * admission of writes: last writer wins, then the quota.
 *
 * <p>Callers serialise writes per key (a map's {@code compute} or a key lock) and pass the stored
 * and the incoming version; this class serialises only the quota check across keys. Changes that do
 * not grow usage (overwrites with a value no larger, deletes) skip that lock and always pass, so a
 * full node still accepts them.
 */
final class LiveUsage {
  private final StorageLimits limits;
  private final boolean limited;
  private final AtomicLong keys = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final Object quotaLock = new Object();

  LiveUsage(StorageLimits limits) {
    this.limits = limits;
    this.limited = limits.maxKeys() > 0 || limits.maxBytes() > 0;
  }

  long keys() {
    return keys.get();
  }

  long bytes() {
    return bytes.get();
  }

  /**
   * Accounts for {@code incoming} replacing {@code stored} (null if the key is absent), which the
   * caller has found older ({@link RecordOrder}), if the quota allows. The caller must then store
   * it, or {@link #revert} on failure.
   */
  WriteOutcome admit(RecordHeader stored, RecordHeader incoming) {
    if (!tryAdd(liveKeys(incoming) - liveKeys(stored), liveBytes(incoming) - liveBytes(stored))) {
      return WriteOutcome.OUT_OF_SPACE;
    }
    return liveKeys(stored) == 1 ? WriteOutcome.REPLACED_LIVE_VALUE : WriteOutcome.STORED;
  }

  /** Undoes an {@link #admit} whose write then failed to reach storage. */
  void revert(RecordHeader stored, RecordHeader incoming) {
    add(liveKeys(stored) - liveKeys(incoming), liveBytes(stored) - liveBytes(incoming));
  }

  /** Accounts for a record found in storage (recount on open). */
  void include(RecordHeader stored) {
    add(liveKeys(stored), liveBytes(stored));
  }

  /** Accounts for a record that left storage without a new version (wipeout). */
  void release(RecordHeader removed) {
    add(-liveKeys(removed), -liveBytes(removed));
  }

  /** Sets the counters (recovery on open, wipeout); the caller excludes concurrent writes. */
  void reset(long liveKeys, long liveBytes) {
    keys.set(liveKeys);
    bytes.set(liveBytes);
  }

  private boolean tryAdd(long keyDelta, long byteDelta) {
    if (!limited || (keyDelta <= 0 && byteDelta <= 0)) {
      add(keyDelta, byteDelta);
      return true;
    }
    synchronized (quotaLock) {
      // Unlocked changes shrink usage (bar reverting a failed write): a passed check stays true.
      if ((keyDelta > 0 && limits.keysExceeded(keys.get() + keyDelta))
          || (byteDelta > 0 && limits.bytesExceeded(bytes.get() + byteDelta))) {
        return false;
      }
      add(keyDelta, byteDelta);
      return true;
    }
  }

  private void add(long keyDelta, long byteDelta) {
    if (keyDelta != 0) {
      keys.addAndGet(keyDelta);
    }
    if (byteDelta != 0) {
      bytes.addAndGet(byteDelta);
    }
  }

  private static long liveKeys(RecordHeader header) {
    return header == null || header.tombstone() ? 0 : 1;
  }

  private static long liveBytes(RecordHeader header) {
    return header == null || header.tombstone() ? 0 : Wire.KEY_LENGTH + header.valueLength();
  }
}
