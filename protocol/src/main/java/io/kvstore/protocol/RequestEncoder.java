package io.kvstore.protocol;

import java.nio.ByteBuffer;

/** Encodes client requests (DESIGN.md §2). */
public final class RequestEncoder {
  private RequestEncoder() {}

  /** Size of the encoded request. */
  public static int size(Command command, byte[] value) {
    if (command.hasValue) {
      requireValue(value);
      return Wire.VALUE_OFFSET + value.length;
    }
    if (command == Command.LIST_MEMBERS && value != null) {
      return Wire.KEY_OFFSET + value.length;
    }
    return command.hasKey ? Wire.VALUE_LENGTH_OFFSET : Wire.KEY_OFFSET;
  }

  /**
   * Writes a request at the buffer's position.
   *
   * @throws IllegalArgumentException if the key or value violates the protocol's limits
   */
  public static void encode(
      ByteBuffer out, byte[] requestId, Command command, byte[] key, byte[] value) {
    if (requestId.length != Wire.REQUEST_ID_LENGTH) {
      throw new IllegalArgumentException("request id must be 16 bytes, got " + requestId.length);
    }
    out.put(requestId);
    out.put((byte) command.code);
    if (command == Command.LIST_MEMBERS && value != null) {
      out.put(value); // the optional start index (uint32 LE)
      return;
    }
    if (!command.hasKey) {
      return;
    }
    requireKey(key);
    out.put(key);
    if (command.hasValue) {
      requireValue(value);
      Wire.putShortLE(out, value.length);
      out.put(value);
    }
  }

  /** Encodes into a fresh array. */
  public static byte[] encode(byte[] requestId, Command command, byte[] key, byte[] value) {
    byte[] bytes = new byte[size(command, value)];
    encode(ByteBuffer.wrap(bytes), requestId, command, key, value);
    return bytes;
  }

  public static void requireKey(byte[] key) {
    if (key == null || key.length != Wire.KEY_LENGTH) {
      throw new IllegalArgumentException(
          "a key is exactly 32 bytes, got " + (key == null ? "none" : key.length));
    }
  }

  public static void requireValue(byte[] value) {
    if (value == null || value.length > Wire.MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          "a value is at most 15,000 bytes, got " + (value == null ? "none" : value.length));
    }
  }
}
