package io.kvstore.cli.bench;

import java.util.SplittableRandom;

/**
 * A few preallocated values per socket: requests carry varied data without generating random bytes
 * on the hot path.
 */
final class ValuePool {
  private static final int SIZE = 16;

  private ValuePool() {}

  static byte[][] randomBytes(int valueSize, SplittableRandom random) {
    byte[][] values = new byte[SIZE][valueSize];
    for (byte[] value : values) {
      random.nextBytes(value);
    }
    return values;
  }

  /** Printable ASCII without spaces, as memcached's text protocol wants readable data. */
  static byte[][] printableAscii(int valueSize, SplittableRandom random) {
    byte[][] values = new byte[SIZE][valueSize];
    for (byte[] value : values) {
      for (int i = 0; i < valueSize; i++) {
        value[i] = (byte) random.nextInt('!', '~' + 1);
      }
    }
    return values;
  }

  static byte[] pick(byte[][] values, long tag) {
    return values[(int) (tag & (SIZE - 1))];
  }
}
