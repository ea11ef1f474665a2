package io.kvstore.protocol;

import java.nio.ByteBuffer;

/**
 * The outcome of decoding one request datagram, as a reusable flyweight: the transport decodes
 * millions of datagrams per minute and must not allocate for each one. Offsets point into the
 * buffer that was decoded; the buffer must stay unchanged while the result is used.
 */
public final class DecodedRequest {
  /** What the node should do with the datagram. */
  public enum Outcome {
    /** A well-formed client request: execute {@link #command()}. */
    CLIENT_REQUEST,
    /** Answer with {@link #errorCode()} and change nothing. */
    REJECT,
    /** A node-to-node message (command byte at or above 0x20). */
    INTERNAL,
    /** Shorter than a request id: there is nobody to answer. */
    DROP
  }

  Outcome outcome;
  Command command;
  ResponseCode errorCode;
  int commandByte;
  int keyOffset;
  int valueOffset;
  int valueLength;
  int declaredLength;
  ByteBuffer buffer;

  public Outcome outcome() {
    return outcome;
  }

  /** The command; null unless the outcome is {@link Outcome#CLIENT_REQUEST}. */
  public Command command() {
    return command;
  }

  /** The error to answer with; null unless the outcome is {@link Outcome#REJECT}. */
  public ResponseCode errorCode() {
    return errorCode;
  }

  /** The raw command byte, or -1 when the datagram had none. */
  public int commandByte() {
    return commandByte;
  }

  public ByteBuffer buffer() {
    return buffer;
  }

  /** Absolute offset of the 32-byte key in {@link #buffer()}. */
  public int keyOffset() {
    return keyOffset;
  }

  /** Absolute offset of the value in {@link #buffer()} (PUT and OPS_SUBMIT only). */
  public int valueOffset() {
    return valueOffset;
  }

  public int valueLength() {
    return valueLength;
  }

  /**
   * Bytes that identify this request for at-most-once: id through the declared end, excluding
   * padding, so a retransmission with different padding still counts as the same request.
   */
  public int declaredLength() {
    return declaredLength;
  }

  /** Copies the key out (for tests and tools; the hot path reads it in place). */
  public byte[] key() {
    byte[] k = new byte[Wire.KEY_LENGTH];
    buffer.get(keyOffset, k);
    return k;
  }

  /** Copies the value out (for tests and tools; the hot path reads it in place). */
  public byte[] value() {
    byte[] v = new byte[valueLength];
    buffer.get(valueOffset, v);
    return v;
  }
}
