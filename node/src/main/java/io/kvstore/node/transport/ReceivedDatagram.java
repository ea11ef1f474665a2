package io.kvstore.node.transport;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * The buffer a socket's received datagrams are handed to the pipeline in: each datagram's bytes
 * are copied into it, so that the pipeline gets the same {@link ByteBuffer} every time instead of
 * a {@code nioBuffer()} view of Netty's receive buffer. Such a view is two new
 * {@code DirectByteBuffer}s per datagram (a duplicate and its slice): a quarter of what the event
 * loop allocated in an open loop of GETs, and the young collections that allocation brings pause
 * the loop for about a millisecond each (BENCHMARKS.md, "Open-loop tail, session 9"). A datagram
 * is at most a receive slot long, so the copy is a {@code memcpy} of at most that; the pipeline
 * reads a datagram only during its call, so one buffer serves every datagram of the socket.
 * Event-loop confined, like the pipeline.
 */
final class ReceivedDatagram {
  private final ByteBuffer copy;

  ReceivedDatagram(int capacity) {
    copy = ByteBuffer.allocateDirect(capacity);
  }

  /**
   * The readable bytes of {@code content} (its indexes unchanged), valid until the next call; a
   * datagram longer than the capacity (none, with receive slots of that size) gets a view of its own.
   */
  ByteBuffer copyOf(ByteBuf content) {
    int length = content.readableBytes();
    if (length > copy.capacity()) {
      return content.nioBuffer(content.readerIndex(), length);
    }
    copy.clear().limit(length);
    content.getBytes(content.readerIndex(), copy);
    return copy.flip();
  }
}
