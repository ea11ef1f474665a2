package io.kvstore.node.ops.codec;

import io.kvstore.node.ops.keys.OperatorKeys;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte layout of {@link SignedOperation}. Decoding checks structure only (every length
 * exact, no trailing byte, UTF-8 valid, times ordered) and never throws anything but
 * {@link MalformedOperationException}; the signature is the verifier's business.
 */
public final class OperationCodec {
  static final byte[] MAGIC = {'K', 'V', 'O', 'P'};
  static final int VERSION = 1;
  /** Where the id begins in an encoded operation (after magic and version). */
  public static final int ID_OFFSET = 4 + 1;
  /** magic, version, id, issued-at, expires-at, fingerprint, target kind, target length. */
  static final int FIXED_HEAD = 4 + 1 + SignedOperation.ID_BYTES + 8 + 8 + OperatorKeys.FINGERPRINT_BYTES + 1 + 2;
  /** The largest well-formed operation. */
  public static final int MAX_BYTES =
      FIXED_HEAD + TargetSelector.MAX_TEXT_BYTES + 1 + 4 + 2 + SignedOperation.MAX_BODY_BYTES
          + SignedOperation.SIGNATURE_BYTES;
  static final int MIN_BYTES = FIXED_HEAD + 1 + 4 + 2 + SignedOperation.SIGNATURE_BYTES;

  private OperationCodec() {}

  static byte[] canonical(byte[] id, long issuedAt, long expiresAt, byte[] fingerprint,
      TargetSelector targets, SignedOperation.Kind kind, int timeoutMillis, byte[] body) {
    byte[] targetText = targets.text().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(FIXED_HEAD + targetText.length + 1 + 4 + 2 + body.length);
    out.put(MAGIC).put((byte) VERSION).put(id).putLong(issuedAt).putLong(expiresAt).put(fingerprint);
    out.put((byte) targets.kind().code).putShort((short) targetText.length).put(targetText);
    out.put((byte) kind.code).putInt(timeoutMillis).putShort((short) body.length).put(body);
    return out.array();
  }

  /** Parses {@code bytes} (kept, not copied, as the operation's encoding). */
  public static SignedOperation decode(byte[] bytes) throws MalformedOperationException {
    if (bytes.length < MIN_BYTES) {
      throw new MalformedOperationException(bytes.length + " bytes, fewer than the smallest operation (" + MIN_BYTES + ")");
    }
    if (bytes.length > MAX_BYTES) {
      throw new MalformedOperationException(bytes.length + " bytes, more than the largest operation (" + MAX_BYTES + ")");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      byte[] magic = new byte[4];
      in.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new MalformedOperationException("no KVOP magic");
      }
      int version = in.get() & 0xFF;
      if (version != VERSION) {
        throw new MalformedOperationException("version " + version + ", not " + VERSION);
      }
      byte[] id = new byte[SignedOperation.ID_BYTES];
      in.get(id);
      long issuedAt = in.getLong();
      long expiresAt = in.getLong();
      if (expiresAt <= issuedAt) {
        throw new MalformedOperationException("expires-at " + expiresAt + " is not after issued-at " + issuedAt);
      }
      byte[] fingerprint = new byte[OperatorKeys.FINGERPRINT_BYTES];
      in.get(fingerprint);
      TargetSelector.Kind targetKind = TargetSelector.Kind.fromCode(in.get() & 0xFF);
      if (targetKind == null) {
        throw new MalformedOperationException("unknown target kind " + (bytes[in.position() - 1] & 0xFF));
      }
      String targetText = utf8(in, TargetSelector.MAX_TEXT_BYTES, "target");
      TargetSelector targets;
      try {
        targets = TargetSelector.fromWire(targetKind, targetText);
      } catch (IllegalArgumentException e) {
        throw new MalformedOperationException("targets: " + e.getMessage());
      }
      int kindCode = in.get() & 0xFF;
      SignedOperation.Kind kind = kindCode == 1 ? SignedOperation.Kind.SCRIPT
          : kindCode == 2 ? SignedOperation.Kind.FILE : null;
      if (kind == null) {
        throw new MalformedOperationException("unknown operation kind " + kindCode);
      }
      int timeout = in.getInt();
      if (timeout <= 0) {
        throw new MalformedOperationException("timeout " + timeout + " ms is not positive");
      }
      byte[] body;
      if (kind == SignedOperation.Kind.SCRIPT) {
        body = utf8(in, SignedOperation.MAX_BODY_BYTES, "script").getBytes(StandardCharsets.UTF_8);
      } else {
        body = bytes(in, SignedOperation.MAX_BODY_BYTES, "manifest");
      }
      if (in.remaining() != SignedOperation.SIGNATURE_BYTES) {
        throw new MalformedOperationException(in.remaining() + " bytes after the body, not a "
            + SignedOperation.SIGNATURE_BYTES + "-byte signature");
      }
      return new SignedOperation(id, issuedAt, expiresAt, fingerprint, targets, kind, timeout, body, bytes);
    } catch (BufferUnderflowException e) {
      throw new MalformedOperationException("truncated");
    }
  }

  private static byte[] bytes(ByteBuffer in, int max, String what) throws MalformedOperationException {
    int length = in.getShort() & 0xFFFF;
    if (length > max) {
      throw new MalformedOperationException(what + " of " + length + " bytes, over " + max);
    }
    if (length > in.remaining()) {
      throw new MalformedOperationException(what + " of " + length + " bytes, only " + in.remaining() + " left");
    }
    byte[] b = new byte[length];
    in.get(b);
    return b;
  }

  private static String utf8(ByteBuffer in, int max, String what) throws MalformedOperationException {
    byte[] b = bytes(in, max, what);
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new MalformedOperationException(what + " is not UTF-8");
    }
  }
}
