package io.kvstore.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

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

  /** Writes {@code code} with a value (OPS_SUBMIT's refusal reason): id, code, length LE, value. */
  public static void codeWithValue(
      ByteBuffer out, ByteBuffer request, int idOffset, ResponseCode code, byte[] value) {
    copyId(out, request, idOffset);
    out.put((byte) code.code);
    Wire.putShortLE(out, value.length);
    out.put(value);
  }

  /** Writes the header of a successful GET reply; the caller then writes the value bytes. */
  public static void valueHeader(ByteBuffer out, ByteBuffer request, int idOffset, int length) {
    copyId(out, request, idOffset);
    out.put((byte) ResponseCode.SUCCESS.code);
    Wire.putShortLE(out, length);
  }

  /**
   * Writes a LIST_MEMBERS reply: id, success, then the page body of docs/PROTOCOL.md: total
   * (uint32 LE), count (uint16 LE), then per member: state (1), incarnation (8 LE), id length (1),
   * id, address length (1), address, port (2 LE). Holds the members from {@code start} on that fit
   * in {@code out}'s remaining space.
   *
   * @return how many members the page holds
   */
  public static int membersPage(
      ByteBuffer out, ByteBuffer request, int idOffset, List<MemberEntry> members, int start) {
    copyId(out, request, idOffset);
    out.put((byte) ResponseCode.SUCCESS.code);
    Wire.putIntLE(out, members.size());
    int countAt = out.position();
    Wire.putShortLE(out, 0);
    int count = 0;
    for (int i = Math.max(0, start); i < members.size() && count < 0xFFFF; i++) {
      MemberEntry m = members.get(i);
      byte[] id = m.id().getBytes(StandardCharsets.UTF_8);
      byte[] ip = m.address().getAddress().getAddress();
      if (out.remaining() < 1 + 8 + 1 + id.length + 1 + ip.length + 2) {
        break;
      }
      out.put((byte) m.state());
      putLongLE(out, m.incarnation());
      out.put((byte) id.length).put(id);
      out.put((byte) ip.length).put(ip);
      Wire.putShortLE(out, m.address().getPort());
      count++;
    }
    out.put(countAt, (byte) count).put(countAt + 1, (byte) (count >>> 8));
    return count;
  }

  private static void putLongLE(ByteBuffer out, long value) {
    Wire.putIntLE(out, (int) value);
    Wire.putIntLE(out, (int) (value >>> 32));
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

  /** Copies the id without allocating (no slice: this runs for every reply). */
  private static void copyId(ByteBuffer out, ByteBuffer request, int idOffset) {
    out.put(out.position(), request, idOffset, Wire.REQUEST_ID_LENGTH);
    out.position(out.position() + Wire.REQUEST_ID_LENGTH);
  }
}
