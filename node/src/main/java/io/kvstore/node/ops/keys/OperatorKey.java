package io.kvstore.node.ops.keys;

import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * An operator's key pair, as {@code ./kvstore keygen} writes it and the CLI signs with it.
 *
 * @param name the key's name (the file name without extension)
 */
public record OperatorKey(String name, PrivateKey privateKey, PublicKey publicKey) {
  /** The fingerprint operations carry to name this key. */
  public byte[] fingerprint() {
    return OperatorKeys.fingerprint(publicKey);
  }

  /** The public half, as a node trusts it. */
  public TrustedKey trusted() {
    return new TrustedKey(name, publicKey, fingerprint());
  }
}
