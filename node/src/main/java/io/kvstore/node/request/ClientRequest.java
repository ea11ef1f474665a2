package io.kvstore.node.request;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.DecodedRequest;
import io.kvstore.protocol.Wire;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A decoded client request as the pipeline carries it from stage to stage: where its bytes are,
 * who sent it, and its at-most-once identity (source, id, fingerprint), each computed once. A
 * reusable flyweight (the pipeline owns a few and refills them), so nothing is allocated per
 * request but the key and value copies that storage keeps.
 */
final class ClientRequest {
  private ByteBuffer buffer;
  private int start;
  private int end;
  private Command command;
  private int valueLength;
  private int declaredLength;
  private long fingerprint;
  private InetSocketAddress source;
  private long sourceKey;
  private byte[] key;
  /** The key for calls that keep nothing of it: refilled per request, so never handed to a holder. */
  private final byte[] lookupKey = new byte[Wire.KEY_LENGTH];
  private boolean lookupKeyFilled;

  /** Fills this from a fresh decode; the fingerprint is computed here, once, if it is needed. */
  ClientRequest fill(DecodedRequest decoded, InetSocketAddress from) {
    ByteBuffer b = decoded.buffer();
    long hash = isCached(decoded.command())
        ? RequestFingerprint.of(b, b.position(), decoded.declaredLength())
        : 0;
    return fill(b, b.position(), b.limit(), decoded.command(), decoded.valueLength(),
        decoded.declaredLength(), hash, from);
  }

  /** Fills this from parts already known (a queued request: decoded once, on arrival). */
  ClientRequest fill(ByteBuffer buffer, int start, int end, Command command, int valueLength,
      int declaredLength, long fingerprint, InetSocketAddress from) {
    this.buffer = buffer;
    this.start = start;
    this.end = end;
    this.command = command;
    this.valueLength = valueLength;
    this.declaredLength = declaredLength;
    this.fingerprint = fingerprint;
    this.source = from;
    this.sourceKey = ReplyCache.sourceKey(from);
    this.key = null;
    this.lookupKeyFilled = false;
    return this;
  }

  /** Whether replies to this command are kept for retransmissions (the other commands are idempotent reads or admin). */
  static boolean isCached(Command command) {
    return command == Command.PUT
        || command == Command.GET
        || command == Command.REMOVE
        || command == Command.WIPEOUT
        || command == Command.OPS_SUBMIT; // a retransmission is answered, not refused "replayed"
  }

  boolean cached() {
    return isCached(command);
  }

  ByteBuffer buffer() {
    return buffer;
  }

  /** Absolute offset of the request (its id) in {@link #buffer()}. */
  int start() {
    return start;
  }

  Command command() {
    return command;
  }

  int valueLength() {
    return valueLength;
  }

  /**
   * Bytes worth keeping when the request waits in a queue: the declared bytes, and for
   * LIST_MEMBERS its optional 4-byte argument.
   */
  int retainedLength() {
    return command == Command.LIST_MEMBERS ? Math.min(end - start, Wire.KEY_OFFSET + 4) : declaredLength;
  }

  /** Bytes from the id through the declared end (padding excluded). */
  int declaredLength() {
    return declaredLength;
  }

  long fingerprint() {
    return fingerprint;
  }

  InetSocketAddress source() {
    return source;
  }

  long sourceKey() {
    return sourceKey;
  }

  long idHi() {
    return bigEndianLong(start);
  }

  long idLo() {
    return bigEndianLong(start + 8);
  }

  /**
   * The key in an array this request reuses for every request it is filled with: only for calls
   * that read it and keep nothing of it once they return (routing, a local GET), so that those
   * allocate nothing. Whatever keeps a key (a held PUT, a coordinated write) takes {@link #key()}.
   */
  byte[] lookupKey() {
    if (!lookupKeyFilled) {
      buffer.get(start + Wire.KEY_OFFSET, lookupKey);
      lookupKeyFilled = true;
    }
    return lookupKey;
  }

  /** The key, copied out once into an array of its own, which the caller may keep. */
  byte[] key() {
    if (key == null) {
      key = new byte[Wire.KEY_LENGTH];
      buffer.get(start + Wire.KEY_OFFSET, key);
    }
    return key;
  }

  byte[] value() {
    byte[] v = new byte[valueLength];
    buffer.get(start + Wire.VALUE_OFFSET, v);
    return v;
  }

  /** The 32-bit argument of LIST_MEMBERS (first member index), 0 when absent. */
  int listStart() {
    int at = start + Wire.KEY_OFFSET;
    if (end < at + 4) {
      return 0;
    }
    return (buffer.get(at) & 0xFF) | (buffer.get(at + 1) & 0xFF) << 8
        | (buffer.get(at + 2) & 0xFF) << 16 | (buffer.get(at + 3) & 0x7F) << 24;
  }

  private long bigEndianLong(int at) {
    long v = buffer.getLong(at);
    return buffer.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v);
  }
}
