package io.kvstore.node.storage;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The one order of record versions, used by every engine and by the coordinator: the later
 * hybrid-logical-clock timestamp wins; at equal timestamps (two coordinators stamping the same
 * millisecond and counter) a tombstone wins over a value, then the longer value, then the larger
 * bytes. Being total, it makes replicas converge whichever of two such writes each saw first, and
 * anti-entropy never finds a difference it cannot repair.
 */
public final class RecordOrder {
  private RecordOrder() {}

  /**
   * Compares version a with version b (negative: a is older). b's value is fetched only when
   * everything else ties, which keeps the usual case to the header.
   */
  public static int compare(long aTimestamp, boolean aTombstone, byte[] aValue, long bTimestamp,
      boolean bTombstone, int bValueLength, Supplier<byte[]> bValue) {
    if (aTimestamp != bTimestamp) {
      return Long.compare(aTimestamp, bTimestamp);
    }
    if (aTombstone != bTombstone) {
      return aTombstone ? 1 : -1;
    }
    if (aValue.length != bValueLength) {
      return Integer.compare(aValue.length, bValueLength);
    }
    return Arrays.compareUnsigned(aValue, bValue.get());
  }

  /** Whether {@code incoming} (header and value) replaces {@code stored} (null: absent). */
  static boolean supersedes(RecordHeader incoming, byte[] incomingValue, RecordHeader stored,
      Supplier<byte[]> storedValue) {
    return stored == null
        || compare(incoming.timestamp(), incoming.tombstone(), incomingValue, stored.timestamp(),
            stored.tombstone(), stored.valueLength(), storedValue) > 0;
  }
}
