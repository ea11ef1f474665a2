package io.kvstore.node.ops.run;

import java.nio.charset.StandardCharsets;

/**
 * The last {@code capacity} bytes of a script's output, in a ring: a flood costs no more memory
 * than the tail, and the bytes that fell out are counted. Used by one reader thread; {@link
 * #text} and the counters may be read from another (synchronized).
 */
final class OutputTail {
  private final byte[] ring;
  private long total;

  OutputTail(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("tail capacity must be at least 1 byte");
    }
    this.ring = new byte[capacity];
  }

  synchronized void write(byte[] bytes, int offset, int length) {
    if (length >= ring.length) {
      // Only the last ring.length bytes can survive: copy those, at their ring positions.
      int skip = length - ring.length;
      total += skip;
      offset += skip;
      length = ring.length;
    }
    int at = (int) (total % ring.length);
    int first = Math.min(length, ring.length - at);
    System.arraycopy(bytes, offset, ring, at, first);
    System.arraycopy(bytes, offset + first, ring, 0, length - first);
    total += length;
  }

  /** Every byte written so far. */
  synchronized long totalBytes() {
    return total;
  }

  /** Bytes written but no longer held. */
  synchronized long droppedBytes() {
    return Math.max(0, total - ring.length);
  }

  /** The held bytes, oldest first. */
  synchronized byte[] bytes() {
    int held = (int) Math.min(total, ring.length);
    byte[] out = new byte[held];
    int start = (int) ((total - held) % ring.length);
    int first = Math.min(held, ring.length - start);
    System.arraycopy(ring, start, out, 0, first);
    System.arraycopy(ring, 0, out, first, held - first);
    return out;
  }

  /** The held bytes as UTF-8 text (a character cut at the start shows as a replacement). */
  String text() {
    return new String(bytes(), StandardCharsets.UTF_8);
  }
}
