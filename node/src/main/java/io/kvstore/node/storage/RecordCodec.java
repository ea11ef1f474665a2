package io.kvstore.node.storage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The on-disk encoding of a {@link VersionedRecord}:
 *
 * <pre>
 * [format version: 1 byte, = 1][flags: 1 byte, bit 0 = tombstone]
 * [timestamp: 8 bytes, big-endian][value: the rest]
 * </pre>
 *
 * <p>The version byte lets a later format coexist with this one; a reader that meets a version it
 * does not know refuses the record rather than guess. Big-endian timestamps keep the header
 * readable in a hex dump. Decoding validates everything and throws {@link CorruptRecordException}
 * instead of returning garbage.
 */
public final class RecordCodec {
  public static final byte FORMAT_VERSION = 1;

  /** Bytes before the value. */
  public static final int HEADER_LENGTH = 10;

  private static final int VERSION_OFFSET = 0;
  private static final int FLAGS_OFFSET = 1;
  private static final int TIMESTAMP_OFFSET = 2;
  private static final int TOMBSTONE_FLAG = 1;
  private static final int KNOWN_FLAGS = TOMBSTONE_FLAG;
  private static final VarHandle BIG_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private RecordCodec() {}

  public static byte[] encode(VersionedRecord record) {
    return encode(record.timestamp(), record.tombstone(), record.value());
  }

  /** Encodes into one new array (tombstones must have an empty value). */
  public static byte[] encode(long timestamp, boolean tombstone, byte[] value) {
    requireEmptyTombstone(tombstone, value.length);
    byte[] encoded = new byte[HEADER_LENGTH + value.length];
    encoded[VERSION_OFFSET] = FORMAT_VERSION;
    encoded[FLAGS_OFFSET] = (byte) (tombstone ? TOMBSTONE_FLAG : 0);
    BIG_ENDIAN_LONG.set(encoded, TIMESTAMP_OFFSET, timestamp);
    System.arraycopy(value, 0, encoded, HEADER_LENGTH, value.length);
    return encoded;
  }

  /** Rejects a tombstone with a value: the value would be lost, so the caller has a bug. */
  static void requireEmptyTombstone(boolean tombstone, int valueLength) {
    if (tombstone && valueLength != 0) {
      throw new IllegalArgumentException(
          "a tombstone carries no value, got "
              + valueLength
              + " bytes;"
              + " build tombstones with VersionedRecord.tombstone(timestamp)");
    }
  }

  public static VersionedRecord decode(byte[] encoded) {
    if (encoded == null) {
      throw new CorruptRecordException("stored record is null");
    }
    RecordHeader header = decodeHeader(encoded, encoded.length);
    byte[] value = new byte[header.valueLength()];
    System.arraycopy(encoded, HEADER_LENGTH, value, 0, value.length);
    return new VersionedRecord(header.timestamp(), header.tombstone(), value);
  }

  /**
   * Reads and validates the header of a record whose full encoding is {@code encodedLength} bytes
   * long, from {@code prefix}, which holds at least its first {@link #HEADER_LENGTH} bytes (the
   * value is neither read nor copied).
   */
  static RecordHeader decodeHeader(byte[] prefix, int encodedLength) {
    boolean tombstone = validTombstoneFlag(prefix, encodedLength);
    long timestamp = (long) BIG_ENDIAN_LONG.get(prefix, TIMESTAMP_OFFSET);
    return new RecordHeader(timestamp, tombstone, encodedLength - HEADER_LENGTH);
  }

  /**
   * The length of the value an encoded record carries at {@link #HEADER_LENGTH}, or -1 if it is a
   * tombstone; validated as {@link #decode} does, without allocating (a GET's reply is written
   * from the stored record itself).
   */
  static int liveValueLength(byte[] encoded) {
    return validTombstoneFlag(encoded, encoded.length) ? -1 : encoded.length - HEADER_LENGTH;
  }

  /** Validates a record's header and length; whether it is a tombstone. */
  private static boolean validTombstoneFlag(byte[] prefix, int encodedLength) {
    if (encodedLength < HEADER_LENGTH || prefix.length < HEADER_LENGTH) {
      throw new CorruptRecordException(
          "stored record is truncated: "
              + encodedLength
              + " bytes, a header needs "
              + HEADER_LENGTH
              + "; the data directory is damaged, restore it from a replica");
    }
    if (prefix[VERSION_OFFSET] != FORMAT_VERSION) {
      throw new CorruptRecordException(
          "stored record has format version "
              + (prefix[VERSION_OFFSET] & 0xFF)
              + ", this build reads only version "
              + FORMAT_VERSION
              + "; the data was written by a newer KVStore or is damaged");
    }
    int flags = prefix[FLAGS_OFFSET] & 0xFF;
    if ((flags & ~KNOWN_FLAGS) != 0) {
      throw new CorruptRecordException(
          "stored record has unknown flags 0x"
              + Integer.toHexString(flags)
              + "; the data was written by a newer KVStore or is damaged");
    }
    boolean tombstone = (flags & TOMBSTONE_FLAG) != 0;
    int valueLength = encodedLength - HEADER_LENGTH;
    if (tombstone && valueLength != 0) {
      throw new CorruptRecordException(
          "stored tombstone carries "
              + valueLength
              + " value bytes, tombstones have none;"
              + " the data directory is damaged, restore it from a replica");
    }
    return tombstone;
  }
}
