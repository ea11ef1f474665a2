package io.kvstore.node.security;

import io.kvstore.protocol.InternalFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 tags on internal datagrams: the tag covers every byte before it and ends the
 * datagram. A node always has a secret ({@code ClusterSecret}) unless started {@code --insecure},
 * which is {@link #none()}: frames then pass unchanged. Client commands never need the secret.
 * {@link Mac} is not thread-safe, so each thread keeps its own.
 */
public final class FrameAuthenticator {
  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  private FrameAuthenticator(SecretKeySpec key) {
    this.key = key;
    this.macs = key == null ? null : ThreadLocal.withInitial(this::newMac);
  }

  /** No authentication: only for {@code --insecure} nodes and tests of the unauthenticated path. */
  public static FrameAuthenticator none() {
    return new FrameAuthenticator(null);
  }

  public static FrameAuthenticator withSecret(String secret) {
    if (secret == null || secret.length() < 16) {
      throw new IllegalArgumentException(
          "the cluster secret must be at least 16 characters (generate one with: openssl rand -hex 32)");
    }
    return new FrameAuthenticator(
        new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
  }

  public boolean enabled() {
    return key != null;
  }

  /** The datagram to send: the frame followed by its tag (or the frame itself without a secret). */
  public byte[] seal(byte[] frame) {
    if (key == null) {
      return frame;
    }
    Mac mac = macs.get();
    mac.update(frame);
    byte[] sealed = new byte[frame.length + InternalFrame.TAG_LENGTH];
    System.arraycopy(frame, 0, sealed, 0, frame.length);
    try {
      mac.doFinal(sealed, frame.length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return sealed;
  }

  /**
   * Checks a received datagram and returns the frame without its tag, or null if the tag is
   * missing or wrong (the caller counts and drops it). Reads the bytes between position and limit
   * without moving them.
   */
  public byte[] open(ByteBuffer datagram) {
    int length = datagram.remaining();
    if (key == null) {
      byte[] frame = new byte[length];
      datagram.get(datagram.position(), frame);
      return frame;
    }
    int frameLength = length - InternalFrame.TAG_LENGTH;
    if (frameLength < InternalFrame.HEADER) {
      return null;
    }
    // The tag is checked on the datagram where it lies; only a frame that passes is copied out,
    // so a flood of forged frames costs the MAC, not a heap copy of each.
    int start = datagram.position();
    Mac mac = macs.get();
    mac.update(datagram.slice(start, frameLength));
    byte[] tag = new byte[InternalFrame.TAG_LENGTH];
    datagram.get(start + frameLength, tag);
    if (!MessageDigest.isEqual(mac.doFinal(), tag)) { // constant time
      return null;
    }
    byte[] frame = new byte[frameLength];
    datagram.get(start, frame);
    return frame;
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
