package io.kvstore.protocol;

import java.nio.ByteBuffer;

/**
 * Decodes request datagrams. Never throws: every input gets one defined outcome (DESIGN.md §2,
 * docs/PROTOCOL.md "Decoding rules"). Bytes after the declared end are padding and ignored.
 */
public final class RequestDecoder {
  private RequestDecoder() {}

  /**
   * Decodes the bytes between the buffer's position and limit into {@code out}. The buffer's
   * position and limit are left unchanged.
   */
  public static DecodedRequest decode(ByteBuffer datagram, DecodedRequest out) {
    int start = datagram.position();
    int length = datagram.remaining();
    out.buffer = datagram;
    out.command = null;
    out.errorCode = null;
    out.commandByte = -1;
    out.keyOffset = -1;
    out.valueOffset = -1;
    out.valueLength = 0;
    out.declaredLength = Math.min(length, Wire.REQUEST_ID_LENGTH + 1);

    if (length < Wire.REQUEST_ID_LENGTH) {
      out.outcome = DecodedRequest.Outcome.DROP;
      return out;
    }
    if (length == Wire.REQUEST_ID_LENGTH) {
      return reject(out, ResponseCode.MALFORMED);
    }
    int code = datagram.get(start + Wire.COMMAND_OFFSET) & 0xFF;
    out.commandByte = code;
    if (code >= Command.INTERNAL_BASE) {
      out.outcome = DecodedRequest.Outcome.INTERNAL;
      out.declaredLength = length;
      return out;
    }
    Command command = Command.fromCode(code);
    if (command == null) {
      return reject(out, ResponseCode.UNRECOGNIZED_COMMAND);
    }
    out.command = command;
    if (!command.hasKey) {
      out.outcome = DecodedRequest.Outcome.CLIENT_REQUEST;
      return out;
    }
    if (length < Wire.VALUE_LENGTH_OFFSET) {
      return reject(out, ResponseCode.INVALID_KEY);
    }
    out.keyOffset = start + Wire.KEY_OFFSET;
    out.declaredLength = Wire.VALUE_LENGTH_OFFSET;
    if (!command.hasValue) {
      out.outcome = DecodedRequest.Outcome.CLIENT_REQUEST;
      return out;
    }
    if (length < Wire.VALUE_OFFSET) {
      return reject(out, ResponseCode.INVALID_VALUE_LENGTH);
    }
    int lo = datagram.get(start + Wire.VALUE_LENGTH_OFFSET) & 0xFF;
    int hi = datagram.get(start + Wire.VALUE_LENGTH_OFFSET + 1) & 0xFF;
    int valueLength = lo | (hi << 8);
    if (valueLength > Wire.MAX_VALUE_LENGTH || valueLength > length - Wire.VALUE_OFFSET) {
      return reject(out, ResponseCode.INVALID_VALUE_LENGTH);
    }
    out.valueOffset = start + Wire.VALUE_OFFSET;
    out.valueLength = valueLength;
    out.declaredLength = Wire.VALUE_OFFSET + valueLength;
    out.outcome = DecodedRequest.Outcome.CLIENT_REQUEST;
    return out;
  }

  /** Convenience for tests and tools: decodes a whole array. */
  public static DecodedRequest decode(byte[] datagram) {
    return decode(ByteBuffer.wrap(datagram), new DecodedRequest());
  }

  private static DecodedRequest reject(DecodedRequest out, ResponseCode code) {
    out.outcome = DecodedRequest.Outcome.REJECT;
    out.command = null;
    out.errorCode = code;
    return out;
  }
}
