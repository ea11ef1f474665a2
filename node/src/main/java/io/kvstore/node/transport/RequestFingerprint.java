package io.kvstore.node.transport;

import io.netty.buffer.ByteBuf;

/**
 * A 64-bit hash of a request's declared bytes (id through the end of the value, padding
 * excluded). Two datagrams with the same id and fingerprint are the same request retransmitted.
 */
final class RequestFingerprint {
  private RequestFingerprint() {}

  static long of(ByteBuf buf, int offset, int length) {
    long h = 0x9E3779B97F4A7C15L ^ length;
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      h = ReplyCache.mix(h ^ buf.getLongLE(offset + i));
    }
    long tail = 0;
    for (int shift = 0; i < length; i++, shift += 8) {
      tail |= (buf.getByte(offset + i) & 0xFFL) << shift;
    }
    return ReplyCache.mix(h ^ tail);
  }
}
