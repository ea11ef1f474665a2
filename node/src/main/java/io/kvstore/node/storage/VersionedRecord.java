package io.kvstore.node.storage;

import java.util.Arrays;

/**
 * A stored value with its version: the hybrid logical clock timestamp of the write and whether it
 * is a tombstone (a delete). Tombstones carry an empty value.
 */
public record VersionedRecord(long timestamp, boolean tombstone, byte[] value) {

  public static VersionedRecord live(long timestamp, byte[] value) {
    return new VersionedRecord(timestamp, false, value);
  }

  public static VersionedRecord tombstone(long timestamp) {
    return new VersionedRecord(timestamp, true, new byte[0]);
  }

  /**
   * Last writer wins: is this record newer than {@code other} (null counts as oldest)? The order is
   * total ({@link RecordOrder}), so replicas that saw two writes with the same timestamp in either
   * order keep the same one.
   */
  public boolean newerThan(VersionedRecord other) {
    return other == null || RecordOrder.compare(timestamp, tombstone, value, other.timestamp,
        other.tombstone, other.value.length, () -> other.value) > 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionedRecord r
        && timestamp == r.timestamp
        && tombstone == r.tombstone
        && Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(timestamp) * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "VersionedRecord[ts=" + timestamp + (tombstone ? ", tombstone" : "")
        + ", " + value.length + " bytes]";
  }
}
