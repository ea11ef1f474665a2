package io.kvstore.protocol;

/** Sizes and limits of the wire format (DESIGN.md §2). */
public final class Wire {
  public static final int REQUEST_ID_LENGTH = 16;
  public static final int KEY_LENGTH = 32;
  public static final int VALUE_LENGTH_FIELD = 2;
  public static final int MAX_VALUE_LENGTH = 15_000;
  /** Datagrams are read whole; this is the largest UDP payload we ever accept. */
  public static final int MAX_DATAGRAM = 65_535;

  public static final int COMMAND_OFFSET = REQUEST_ID_LENGTH;
  public static final int KEY_OFFSET = COMMAND_OFFSET + 1;
  public static final int VALUE_LENGTH_OFFSET = KEY_OFFSET + KEY_LENGTH;
  public static final int VALUE_OFFSET = VALUE_LENGTH_OFFSET + VALUE_LENGTH_FIELD;
  /** Largest well-formed request without padding: id, command, key, length, value. */
  public static final int MAX_REQUEST = VALUE_OFFSET + MAX_VALUE_LENGTH;
  /** Largest reply: id, code, length, value. */
  public static final int MAX_REPLY = REQUEST_ID_LENGTH + 1 + VALUE_LENGTH_FIELD + MAX_VALUE_LENGTH;

  private Wire() {}

  /** Writes a little-endian 16-bit value without changing the buffer's byte order. */
  public static void putShortLE(java.nio.ByteBuffer out, int value) {
    out.put((byte) value).put((byte) (value >>> 8));
  }

  /** Writes a little-endian 32-bit value without changing the buffer's byte order. */
  public static void putIntLE(java.nio.ByteBuffer out, int value) {
    out.put((byte) value).put((byte) (value >>> 8)).put((byte) (value >>> 16)).put((byte) (value >>> 24));
  }
}
