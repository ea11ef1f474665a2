package io.kvstore.node.ops.keys;

import java.security.PublicKey;

/**
 * An operator public key a node trusts, as read from {@code ops.trusted-keys}.
 *
 * @param name the name on the key's line (informational: what logs call the key)
 * @param fingerprint {@link OperatorKeys#FINGERPRINT_BYTES} bytes naming the key in operations
 */
public record TrustedKey(String name, PublicKey key, byte[] fingerprint) {
  public TrustedKey {
    fingerprint = fingerprint.clone();
  }

  @Override
  public byte[] fingerprint() {
    return fingerprint.clone();
  }

  public String fingerprintHex() {
    return java.util.HexFormat.of().formatHex(fingerprint);
  }
}
