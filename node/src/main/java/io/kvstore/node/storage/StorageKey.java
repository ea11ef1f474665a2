package io.kvstore.node.storage;

import io.kvstore.protocol.Wire;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable 32-byte key with equality on content, for hash maps. Clients may choose keys freely
 * (counters, shared prefixes, all zeros), so the hash mixes all 32 bytes rather than trusting any
 * few of them to be random.
 */
final class StorageKey {
  private static final VarHandle LITTLE_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final long MIX_MULTIPLIER = 0xC2B2AE3D27D4EB4FL;

  private final byte[] bytes;
  private final int hash;

  private StorageKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = hash(bytes);
  }

  /** A key holding its own copy of {@code key}, so later changes to the array do not affect it. */
  static StorageKey copyOf(byte[] key) {
    return new StorageKey(requireValid(key).clone());
  }

  /** Returns {@code key} if it has the length of a key, else throws. */
  static byte[] requireValid(byte[] key) {
    if (key == null || key.length != Wire.KEY_LENGTH) {
      throw new IllegalArgumentException(
          "a key must be "
              + Wire.KEY_LENGTH
              + " bytes, got "
              + (key == null ? "null" : key.length + " bytes")
              + "; the transport should have answered 'invalid key'");
    }
    return key;
  }

  /**
   * A well-mixed hash of all 32 bytes of a valid key: each 8-byte lane is folded in through
   * bijective steps, so keys differing anywhere almost always differ in every bit of the result.
   */
  static int hash(byte[] key) {
    long h = GOLDEN_GAMMA;
    for (int offset = 0; offset < Wire.KEY_LENGTH; offset += Long.BYTES) {
      long lane = (long) LITTLE_ENDIAN_LONG.get(key, offset);
      h = Long.rotateLeft(h ^ (lane * GOLDEN_GAMMA), 31) * MIX_MULTIPLIER;
    }
    // MurmurHash3's 64-bit finaliser: spreads every input bit over the 32 bits we keep.
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return (int) (h ^ (h >>> 32));
  }

  /** The key's bytes (not a copy: callers must not change them). */
  byte[] bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StorageKey other && hash == other.hash && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
