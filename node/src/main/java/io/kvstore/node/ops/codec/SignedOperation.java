package io.kvstore.node.ops.codec;

import io.kvstore.node.ops.keys.OperatorKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * One operation as the operator signed it (docs/OPERATIONS.md, "How an operation spreads").
 * Canonical bytes, big-endian, signed whole, signature appended:
 *
 * <pre>
 * magic "KVOP" | version 1 | id 16 | issued-at ms 8 | expires-at ms 8 | key fingerprint 8
 * | target kind 1 (0 all, 1 ids, 2 label) | u16 len + UTF-8 text | kind 1 (1 script, 2 file)
 * | timeout ms 4 | body u16 len + bytes | signature 64
 * </pre>
 *
 * Instances come from {@link OperationCodec#decode} (any bytes, structure checked, signature
 * not) or {@link Builder#sign}; {@link #signatureValidFor} is the verifier's check.
 *
 * @param encoded the whole operation, signature included (not copied: do not change it)
 */
public record SignedOperation(
    byte[] id,
    long issuedAtMillis,
    long expiresAtMillis,
    byte[] keyFingerprint,
    TargetSelector targets,
    Kind kind,
    int timeoutMillis,
    byte[] body,
    byte[] encoded) {

  /** What the body is. */
  public enum Kind {
    SCRIPT(1), FILE(2);

    public final int code;

    Kind(int code) {
      this.code = code;
    }
  }

  public static final int ID_BYTES = 16;
  public static final int SIGNATURE_BYTES = 64;
  /** A script (and a file manifest) is at most 8 KiB, so that a whole operation fits a frame. */
  public static final int MAX_BODY_BYTES = 8192;

  /** The operation id as 32 hex digits. */
  public String idHex() {
    return HexFormat.of().formatHex(id);
  }

  /** The first 8 hex digits of the id: how status reports name it. */
  public String idHex8() {
    return idHex().substring(0, 8);
  }

  /** The signed part: everything but the trailing signature. */
  public byte[] signedBytes() {
    return Arrays.copyOf(encoded, encoded.length - SIGNATURE_BYTES);
  }

  public byte[] signature() {
    return Arrays.copyOfRange(encoded, encoded.length - SIGNATURE_BYTES, encoded.length);
  }

  /** The body as text (a script). */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Whether {@code key} made the signature over the canonical bytes. */
  public boolean signatureValidFor(PublicKey key) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(encoded, 0, encoded.length - SIGNATURE_BYTES);
      return verifier.verify(encoded, encoded.length - SIGNATURE_BYTES, SIGNATURE_BYTES);
    } catch (GeneralSecurityException e) {
      return false; // a signature the provider cannot even parse is no valid signature
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedOperation other && Arrays.equals(encoded, other.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "operation " + idHex() + " (" + kind.name().toLowerCase() + ", targets " + targets + ")";
  }

  /** Starts an operation to be signed, with a random id, valid from {@code issuedAtMillis}. */
  public static Builder builder(RandomGenerator random, long issuedAtMillis) {
    byte[] id = new byte[ID_BYTES];
    random.nextBytes(id);
    return new Builder(id, issuedAtMillis);
  }

  /** Collects an operation's fields; {@link #sign} makes it. Defaults: all nodes, 60 s, 10 min. */
  public static final class Builder {
    private final byte[] id;
    private final long issuedAt;
    private long expiresAt;
    private TargetSelector targets = TargetSelector.ALL;
    private Kind kind = Kind.SCRIPT;
    private int timeoutMillis = 60_000;
    private byte[] body = new byte[0];

    private Builder(byte[] id, long issuedAt) {
      this.id = id.clone();
      this.issuedAt = issuedAt;
      this.expiresAt = issuedAt + 10 * 60_000L;
    }

    public Builder expiresAt(long millis) {
      expiresAt = millis;
      return this;
    }

    public Builder targets(TargetSelector selector) {
      targets = selector;
      return this;
    }

    public Builder timeoutMillis(int millis) {
      timeoutMillis = millis;
      return this;
    }

    public Builder script(String text) {
      kind = Kind.SCRIPT;
      body = text.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /** A file operation: the manifest bytes (slice ops-files defines them). */
    public Builder file(byte[] manifest) {
      kind = Kind.FILE;
      body = manifest.clone();
      return this;
    }

    /** Signs with {@code key}; refuses what no node would accept as well-formed. */
    public SignedOperation sign(OperatorKey key) {
      byte[] unsigned =
          OperationCodec.canonical(id, issuedAt, expiresAt, key.fingerprint(), targets, kind, timeoutMillis, body);
      byte[] signature;
      try {
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(key.privateKey());
        signer.update(unsigned);
        signature = signer.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot sign with " + key.name(), e);
      }
      byte[] whole = ByteBuffer.allocate(unsigned.length + SIGNATURE_BYTES).put(unsigned).put(signature).array();
      try {
        return OperationCodec.decode(whole);
      } catch (MalformedOperationException e) {
        throw new IllegalArgumentException(e.getMessage());
      }
    }
  }
}
