package io.kvstore.node.storage;

import io.kvstore.protocol.Wire;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The stored version of recently used keys: its header always, and the encoded record itself
 * while it is small and the byte budget allows. A write on a key written before need not read
 * RocksDB first (last-writer-wins and the quota both need the stored header, and that read cost
 * as much as the write itself), and a GET of such a key need not call RocksDB at all (the read
 * was a quarter of a GET's CPU: BENCHMARKS.md, issue 12 profiles).
 *
 * <p>Exact, not a guess: a slot is filled and changed only under the key's stripe lock, after
 * RocksDB holds that version (a write) or with RocksDB read under that lock (a miss), and sets of
 * slots are indexed by the low bits of the same hash as {@link KeyStripes} (at least as many sets
 * as stripes), so all keys of a set share one lock. Set-associative ({@code ways} slots per set)
 * and fixed in size: a key not held takes a free slot of its set, or the one filled longest ago.
 * Direct-mapped (one way), 10,000 random keys in 65,536 slots left 14% of the keys sharing a slot
 * with another, which then evicted each other on every other access; with 4 ways of 16,384 sets
 * about 0.3% of such keys find their set full. Held records are the engine's own encoded arrays
 * (never modified once held), at most {@code maxRecordBytes} each and {@code maxHeldBytes} in all.
 */
final class RecentRecords {
  /** What {@link #find} returns when the key is not cached (null means cached as absent). */
  static final RecordHeader MISS = new RecordHeader(Long.MIN_VALUE, false, -1);
  /** What {@link #findEncoded} returns for a key known absent (null means not held). */
  static final byte[] ABSENT_RECORD = new byte[0];

  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int LANES = Wire.KEY_LENGTH / Long.BYTES;
  private static final int UNUSED = -1;
  private static final int ABSENT = -2;
  private static final int TOMBSTONE = -3;

  private final int setMask;
  private final int ways;
  private final int maxRecordBytes;
  private final long maxHeldBytes;
  private final long[] keys;
  private final long[] timestamps;
  /** Value length of a live record, or UNUSED, ABSENT, TOMBSTONE. */
  private final int[] lengths;
  /** The encoded record (RecordCodec) of the slot's version, or null when not held. */
  private final byte[][] encoded;
  /** Per set: the way to take over next when every way is in use (round robin: the oldest fill). */
  private final byte[] nextVictim;
  /** Bytes of every held record: slots of different stripes change it at once. */
  private final AtomicLong heldBytes = new AtomicLong();

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder readHits = new LongAdder();
  private final LongAdder readMisses = new LongAdder();

  /**
   * {@code sets}: a power of two, at least {@code stripes} (the key lock count), of {@code ways}
   * slots each (1 to 127); records larger than {@code maxRecordBytes}, or beyond
   * {@code maxHeldBytes} in all, keep only their header.
   */
  RecentRecords(int sets, int ways, int stripes, int maxRecordBytes, long maxHeldBytes) {
    if (Integer.bitCount(sets) != 1 || sets < stripes) {
      throw new IllegalArgumentException(
          "sets must be a power of two of at least " + stripes + ", got " + sets);
    }
    if (ways < 1 || ways > Byte.MAX_VALUE) {
      throw new IllegalArgumentException("ways must be 1 to 127, got " + ways);
    }
    setMask = sets - 1;
    this.ways = ways;
    int slots = sets * ways;
    nextVictim = new byte[sets];
    this.maxRecordBytes = maxRecordBytes;
    this.maxHeldBytes = maxHeldBytes;
    keys = new long[slots * LANES];
    timestamps = new long[slots];
    lengths = new int[slots];
    encoded = new byte[slots][];
    Arrays.fill(lengths, UNUSED);
  }

  /** The stored header of a key, null if it is known absent, or {@link #MISS}. Under its lock. */
  RecordHeader find(byte[] key) {
    int slot = slotHolding(key);
    if (slot < 0) {
      misses.increment();
      return MISS;
    }
    int length = lengths[slot];
    hits.increment();
    if (length == ABSENT) {
      return null;
    }
    return new RecordHeader(timestamps[slot], length == TOMBSTONE, Math.max(length, 0));
  }

  /**
   * The stored encoded record of a key (do not modify it), {@link #ABSENT_RECORD} if the key is
   * known absent, or null if it is not held. Under its lock.
   */
  byte[] findEncoded(byte[] key) {
    int slot = slotHolding(key);
    if (slot >= 0) {
      if (lengths[slot] == ABSENT) {
        readHits.increment();
        return ABSENT_RECORD;
      }
      byte[] record = encoded[slot];
      if (record != null) {
        readHits.increment();
        return record;
      }
    }
    readMisses.increment();
    return null;
  }

  /** Records the header RocksDB now holds for a key (null: absent), not its record. Under its lock. */
  void remember(byte[] key, RecordHeader stored) {
    remember(key, stored, null);
  }

  /**
   * Records the version RocksDB now holds for a key: its header (null: absent) and, if not null,
   * its encoded record, which the caller must never modify again. Under its lock.
   */
  void remember(byte[] key, RecordHeader stored, byte[] storedRecord) {
    int slot = slotFor(key);
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
    hold(slot, storedRecord);
  }

  /** Drops a key's slot if it holds that key (its stored version is unknown). Under its lock. */
  void forget(byte[] key) {
    int slot = slotHolding(key);
    if (slot >= 0) {
      lengths[slot] = UNUSED;
      hold(slot, null);
    }
  }

  /** Empties every slot; the caller excludes every write and read (wipeout). */
  void clear() {
    Arrays.fill(lengths, UNUSED);
    Arrays.fill(encoded, null);
    heldBytes.set(0);
  }

  /** Writes that found the stored header here. */
  long hits() {
    return hits.sum();
  }

  /** Writes that had to read the stored header from RocksDB. */
  long misses() {
    return misses.sum();
  }

  /** Reads answered from here (the record, or known absent). */
  long readHits() {
    return readHits.sum();
  }

  /** Reads that went to RocksDB. */
  long readMisses() {
    return readMisses.sum();
  }

  /** Bytes of the records held now (at most the budget). */
  long heldBytes() {
    return heldBytes.get();
  }

  long maxHeldBytes() {
    return maxHeldBytes;
  }

  /** Replaces the slot's held record by {@code record} (null: none), within the byte budget. */
  private void hold(int slot, byte[] record) {
    byte[] previous = encoded[slot];
    int released = previous == null ? 0 : previous.length;
    if (record != null && record.length <= maxRecordBytes && reserve(record.length - released)) {
      encoded[slot] = record;
      return;
    }
    encoded[slot] = null;
    if (released != 0) {
      heldBytes.addAndGet(-released);
    }
  }

  /** Adds {@code delta} to the held bytes unless that would pass the budget. */
  private boolean reserve(long delta) {
    while (true) {
      long held = heldBytes.get();
      if (delta > 0 && held + delta > maxHeldBytes) {
        return false;
      }
      if (heldBytes.compareAndSet(held, held + delta)) {
        return true;
      }
    }
  }

  private int firstSlotOfSet(byte[] key) {
    return (StorageKey.hash(key) & setMask) * ways;
  }

  /** The slot in use for this key, or -1. */
  private int slotHolding(byte[] key) {
    int first = firstSlotOfSet(key);
    for (int slot = first; slot < first + ways; slot++) {
      if (lengths[slot] != UNUSED && holds(slot, key)) {
        return slot;
      }
    }
    return -1;
  }

  /** The key's slot if it has one, else a free one of its set, else the set's next victim. */
  private int slotFor(byte[] key) {
    int held = slotHolding(key);
    if (held >= 0) {
      return held;
    }
    int first = firstSlotOfSet(key);
    for (int slot = first; slot < first + ways; slot++) {
      if (lengths[slot] == UNUSED) {
        return slot;
      }
    }
    int set = first / ways;
    int victim = nextVictim[set];
    nextVictim[set] = (byte) ((victim + 1) % ways);
    return first + victim;
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
