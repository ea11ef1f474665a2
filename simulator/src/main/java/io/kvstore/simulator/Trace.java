package io.kvstore.simulator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A running 64-bit fingerprint of every delivered datagram (time, sender, receiver, content).
 * Two runs are identical event for event exactly when their fingerprints match (up to hash
 * collisions), which is cheaper than keeping the events.
 */
public final class Trace {
  /** Reads eight bytes as one big-endian word at once (the same words as byte by byte). */
  private static final VarHandle BIG_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private long hash = 0x9E3779B97F4A7C15L;
  private long events;

  void recordDelivery(long timeMillis, int from, int to, byte[] datagram) {
    long h = fold(hash, timeMillis);
    h = fold(h, ((long) from << 32) | (to & 0xFFFFFFFFL));
    hash = fold(h, contentHash(datagram));
    events++;
  }

  public long hash() {
    return hash;
  }

  public long events() {
    return events;
  }

  private static long fold(long h, long value) {
    return mix(h ^ (value + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2)));
  }

  private static long contentHash(byte[] bytes) {
    long h = bytes.length;
    int i = 0;
    for (; i + 8 <= bytes.length; i += 8) {
      h = h * 0x100000001B3L ^ (long) BIG_ENDIAN_LONG.get(bytes, i);
    }
    for (; i < bytes.length; i++) {
      h = h * 0x100000001B3L ^ (bytes[i] & 0xFF);
    }
    return mix(h);
  }

  /** SplitMix64's finalizer: a good avalanche in a few instructions. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
