package io.kvstore.protocol;

import java.nio.ByteBuffer;

/**
 * Encodes replies into a caller-supplied buffer, so the node's hot path can write straight into a
 * pooled network buffer.
 */
public final class ReplyEncoder {
  private ReplyEncoder() {}

  /** Size of a reply that carries only a code. */
  public static final int CODE_ONLY = Wire.REQUEST_ID_LENGTH + 1;
  /** Size of a reply carrying a 32-bit integer (GET_PID, GET_MEMBERSHIP_COUNT). */
  public static final int WITH_INT = CODE_ONLY + 4;

  public static int sizeWithValue(int valueLength) {
    return CODE_ONLY + Wire.VALUE_LENGTH_FIELD + valueLength;
  }

  /** Writes id and code; the request id is copied from {@code request} at {@code idOffset}. */
  public static void code(ByteBuffer out, ByteBuffer request, int idOffset, ResponseCode code) {
    copyId(out, request, idOffset);
    out.put((byte) code.code);
  }

  public static void withInt(ByteBuffer out, ByteBuffer request, int idOffset, int value) {
    copyId(out, request, idOffset);
    out.put((byte) ResponseCode.SUCCESS.code);
    Wire.putIntLE(out, value);
  }

  /** Writes the header of a successful GET reply; the caller then writes the value bytes. */
  public static void valueHeader(ByteBuffer out, ByteBuffer request, int idOffset, int length) {
    copyId(out, request, idOffset);
    out.put((byte) ResponseCode.SUCCESS.code);
    Wire.putShortLE(out, length);
  }

  /** A reply as an array, for tests and tools. */
  public static byte[] encode(byte[] requestId, ResponseCode code, byte[] value) {
    ByteBuffer id = ByteBuffer.wrap(requestId);
    if (value == null) {
      ByteBuffer out = ByteBuffer.allocate(CODE_ONLY);
      code(out, id, 0, code);
      return out.array();
    }
    ByteBuffer out = ByteBuffer.allocate(sizeWithValue(value.length));
    valueHeader(out, id, 0, value.length);
    out.put(value);
    return out.array();
  }

  private static void copyId(ByteBuffer out, ByteBuffer request, int idOffset) {
    out.put(request.slice(idOffset, Wire.REQUEST_ID_LENGTH));
  }
}
