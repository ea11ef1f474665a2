package io.kvstore.node.request;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A 64-bit hash of a request's declared bytes (id through the end of the value, padding
 * excluded). Two datagrams with the same id and fingerprint are the same request retransmitted.
 */
final class RequestFingerprint {
  private RequestFingerprint() {}

  /** The fingerprint of {@code length} bytes at absolute {@code offset}; whatever the byte order. */
  static long of(ByteBuffer buf, int offset, int length) {
    boolean little = buf.order() == ByteOrder.LITTLE_ENDIAN;
    long h = 0x9E3779B97F4A7C15L ^ length;
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      long word = buf.getLong(offset + i);
      h = ReplyCache.mix(h ^ (little ? word : Long.reverseBytes(word)));
    }
    long tail = 0;
    for (int shift = 0; i < length; i++, shift += 8) {
      tail |= (buf.get(offset + i) & 0xFFL) << shift;
    }
    return ReplyCache.mix(h ^ tail);
  }
}
