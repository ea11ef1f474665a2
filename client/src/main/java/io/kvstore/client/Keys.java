package io.kvstore.client;

import io.kvstore.protocol.Wire;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Builds the 32-byte keys the protocol requires from what users type. */
public final class Keys {
  private static final int HEX_LENGTH = Wire.KEY_LENGTH * 2;

  private Keys() {}

  /** The SHA-256 digest of the string's UTF-8 bytes: how a text key becomes a protocol key. */
  public static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  /**
   * Parses a key given as exactly 64 hex digits.
   *
   * @throws IllegalArgumentException naming the problem when the text is not such a key
   */
  public static byte[] fromHex(String hex) {
    if (hex.length() != HEX_LENGTH) {
      throw new IllegalArgumentException(
          "a hex key is exactly 64 hex digits (32 bytes), got "
              + hex.length()
              + " characters; to use any text as a key, pass it without --hex (it is hashed"
              + " with SHA-256)");
    }
    byte[] key = new byte[Wire.KEY_LENGTH];
    for (int i = 0; i < HEX_LENGTH; i += 2) {
      key[i / 2] = (byte) ((hexDigit(hex, i) << 4) | hexDigit(hex, i + 1));
    }
    return key;
  }

  private static int hexDigit(String hex, int index) {
    int digit = Character.digit(hex.charAt(index), 16);
    if (digit < 0) {
      throw new IllegalArgumentException(
          "a hex key holds only the digits 0-9 and a-f, found '"
              + hex.charAt(index)
              + "' at position "
              + index);
    }
    return digit;
  }
}
