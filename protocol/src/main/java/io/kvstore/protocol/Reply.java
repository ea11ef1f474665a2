package io.kvstore.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A decoded reply, as a client sees it. {@code code} is the raw byte so that clients can report
 * codes this version does not know.
 */
public record Reply(byte[] requestId, int code, byte[] value, int intValue) {

  public ResponseCode responseCode() {
    return ResponseCode.fromCode(code);
  }

  public boolean isSuccess() {
    return code == ResponseCode.SUCCESS.code;
  }

  /**
   * Decodes a reply datagram for a command the client sent.
   *
   * @throws MalformedReplyException if the datagram is not a valid reply to that command
   */
  public static Reply decode(byte[] datagram, int length, Command sent) {
    if (length < ReplyEncoder.CODE_ONLY) {
      throw new MalformedReplyException("reply of " + length + " bytes is shorter than 17");
    }
    ByteBuffer b = ByteBuffer.wrap(datagram, 0, length).order(ByteOrder.LITTLE_ENDIAN);
    byte[] id = new byte[Wire.REQUEST_ID_LENGTH];
    b.get(id);
    int code = b.get() & 0xFF;
    if ((sent == Command.OPS_SUBMIT || sent == Command.OPS_CHUNK) && code == ResponseCode.NOT_PERMITTED.code) {
      return new Reply(id, code, lengthPrefixedValue(b, sent), 0); // the refusal reason, UTF-8
    }
    if (code != ResponseCode.SUCCESS.code) {
      return new Reply(id, code, null, 0);
    }
    if (sent == Command.GET) {
      if (b.remaining() < 2) {
        throw new MalformedReplyException("GET reply has no value length");
      }
      int len = b.getShort() & 0xFFFF;
      if (len > b.remaining() || len > Wire.MAX_VALUE_LENGTH) {
        throw new MalformedReplyException(
            "GET reply declares " + len + " value bytes but carries " + b.remaining());
      }
      byte[] value = new byte[len];
      b.get(value);
      return new Reply(id, code, value, 0);
    }
    if (sent == Command.LIST_MEMBERS) {
      byte[] page = new byte[b.remaining()];
      b.get(page);
      return new Reply(id, code, page, 0);
    }
    if (sent == Command.GET_PID || sent == Command.GET_MEMBERSHIP_COUNT) {
      if (b.remaining() < 4) {
        throw new MalformedReplyException(sent + " reply has no 4-byte integer");
      }
      return new Reply(id, code, null, b.getInt());
    }
    return new Reply(id, code, null, 0);
  }

  private static byte[] lengthPrefixedValue(ByteBuffer b, Command sent) {
    if (b.remaining() < 2) {
      throw new MalformedReplyException(sent + " reply has no value length");
    }
    int len = b.getShort() & 0xFFFF;
    if (len > b.remaining() || len > Wire.MAX_VALUE_LENGTH) {
      throw new MalformedReplyException(
          sent + " reply declares " + len + " value bytes but carries " + b.remaining());
    }
    byte[] value = new byte[len];
    b.get(value);
    return value;
  }

  /** The request id a reply datagram answers, or null if it is too short to carry one. */
  public static byte[] peekRequestId(byte[] datagram, int length) {
    return length < Wire.REQUEST_ID_LENGTH ? null : Arrays.copyOf(datagram, Wire.REQUEST_ID_LENGTH);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Reply r
        && Arrays.equals(requestId, r.requestId)
        && code == r.code
        && Arrays.equals(value, r.value)
        && intValue == r.intValue;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(requestId) * 31 + code;
  }

  @Override
  public String toString() {
    return "Reply[id="
        + HexFormat.of().formatHex(requestId)
        + ", code="
        + code
        + (value != null ? ", value=" + value.length + " bytes" : "")
        + ", int="
        + intValue
        + "]";
  }
}
