package io.kvstore.node.storage;

import io.kvstore.protocol.Wire;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * The stored version (header) of recently written keys, so that a write on a key written before
 * need not read RocksDB first: last-writer-wins and the quota both need the stored header, and
 * that read cost as much as the write itself (BENCHMARKS.md, issue 12 profiles).
 *
 * <p>Exact, not a guess: a slot is filled and changed only by the write path under the key's
 * stripe lock, after RocksDB holds that version, and slots are indexed by the low bits of the
 * same hash as {@link KeyStripes} (at least as many slots as stripes), so all keys of a slot share
 * one lock. A miss reads RocksDB as before. Readers outside the write path never fill a slot: a
 * read racing a write could store a version the write has already replaced. Direct-mapped and
 * fixed in size; a colliding key takes the slot over.
 */
final class RecentHeaders {
  /** What {@link #find} returns when the key is not cached (null means cached as absent). */
  static final RecordHeader MISS = new RecordHeader(Long.MIN_VALUE, false, -1);

  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int LANES = Wire.KEY_LENGTH / Long.BYTES;
  private static final int UNUSED = -1;
  private static final int ABSENT = -2;
  private static final int TOMBSTONE = -3;

  private final int mask;
  private final long[] keys;
  private final long[] timestamps;
  /** Value length of a live record, or UNUSED, ABSENT, TOMBSTONE. */
  private final int[] lengths;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /** {@code slots}: a power of two, at least {@code stripes} (the key lock count). */
  RecentHeaders(int slots, int stripes) {
    if (Integer.bitCount(slots) != 1 || slots < stripes) {
      throw new IllegalArgumentException(
          "slots must be a power of two of at least " + stripes + ", got " + slots);
    }
    mask = slots - 1;
    keys = new long[slots * LANES];
    timestamps = new long[slots];
    lengths = new int[slots];
    Arrays.fill(lengths, UNUSED);
  }

  /** The stored header of a key, null if it is known absent, or {@link #MISS}. Under its lock. */
  RecordHeader find(byte[] key) {
    int slot = slotOf(key);
    int length = lengths[slot];
    if (length == UNUSED || !holds(slot, key)) {
      misses.increment();
      return MISS;
    }
    hits.increment();
    if (length == ABSENT) {
      return null;
    }
    return new RecordHeader(timestamps[slot], length == TOMBSTONE, Math.max(length, 0));
  }

  /** Records the header RocksDB now holds for a key (null: absent). Under the key's lock. */
  void remember(byte[] key, RecordHeader stored) {
    int slot = slotOf(key);
    int base = slot * LANES;
    for (int lane = 0; lane < LANES; lane++) {
      keys[base + lane] = (long) LONG.get(key, lane * Long.BYTES);
    }
    if (stored == null) {
      lengths[slot] = ABSENT;
    } else {
      timestamps[slot] = stored.timestamp();
      lengths[slot] = stored.tombstone() ? TOMBSTONE : stored.valueLength();
    }
  }

  /** Drops a key's slot if it holds that key (its stored version is unknown). Under its lock. */
  void forget(byte[] key) {
    int slot = slotOf(key);
    if (holds(slot, key)) {
      lengths[slot] = UNUSED;
    }
  }

  /** Empties every slot; the caller excludes every write (wipeout). */
  void clear() {
    Arrays.fill(lengths, UNUSED);
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }

  private int slotOf(byte[] key) {
    return StorageKey.hash(key) & mask;
  }

  private boolean holds(int slot, byte[] key) {
    int base = slot * LANES;
    for (int lane = 0; lane < LANES; lane++) {
      if (keys[base + lane] != (long) LONG.get(key, lane * Long.BYTES)) {
        return false;
      }
    }
    return true;
  }
}
