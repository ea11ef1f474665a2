package io.kvstore.simulator;

import io.kvstore.node.cluster.SwimCodec;
import io.kvstore.protocol.InternalFrame;

/** Datagrams and payload bytes one node sent, in total and per membership message type. */
public final class Traffic {
  private static final int TYPES = SwimCodec.PUSH_PULL - SwimCodec.PING + 1;

  private final long[] bytes = new long[TYPES];
  private final long[] datagrams = new long[TYPES];
  private long totalBytes;
  private long totalDatagrams;

  void record(byte[] datagram) {
    totalBytes += datagram.length;
    totalDatagrams++;
    int type = datagram.length > InternalFrame.TYPE_OFFSET ? (datagram[InternalFrame.TYPE_OFFSET] & 0xFF) - SwimCodec.PING : -1;
    if (type >= 0 && type < TYPES) {
      bytes[type] += datagram.length;
      datagrams[type]++;
    }
  }

  /** Payload bytes (UDP and IP headers not included). */
  public long bytes() {
    return totalBytes;
  }

  public long datagrams() {
    return totalDatagrams;
  }

  /** Payload bytes of one message type ({@link SwimCodec#PING} ... {@link SwimCodec#PUSH_PULL}). */
  public long bytes(int messageType) {
    return bytes[messageType - SwimCodec.PING];
  }
}
