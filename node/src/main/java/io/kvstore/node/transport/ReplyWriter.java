package io.kvstore.node.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a socket's outgoing datagrams, joining consecutive ones of equal size to one destination
 * into a single UDP GSO send ({@link SegmentedDatagramPacket}: one trip through the kernel's
 * UDP/IP send path for up to {@link #MAX_SEGMENTS} datagrams; the receiver still gets them one by
 * one). A client with many requests in flight gets its replies of one batch in a few such sends:
 * sendmmsg was 30-42% of the node's CPU at window 32 (BENCHMARKS.md, issue 12 profiles).
 *
 * <p>Only datagrams of at most {@link #MAX_SEGMENT_BYTES} are joined, so a segment fits any path
 * MTU of 1,280 bytes or more (the kernel refuses a GSO size above the route's MTU). If a joined
 * send fails, joining is switched off for the socket and the failure logged once. Called on the
 * channel's event loop only, like the pipeline that drives it; nothing is sent until
 * {@link #flush}, as before.
 */
final class ReplyWriter {
  private static final Logger log = LoggerFactory.getLogger(ReplyWriter.class);
  static final int MAX_SEGMENTS = 64;
  static final int MAX_SEGMENT_BYTES = 1200;

  private final ChannelHandlerContext ctx;
  private boolean joining;

  /** The run of equal-sized datagrams to one destination not yet written, or null. */
  private ByteBuf run;
  private InetSocketAddress runDestination;
  private int runSegmentBytes;
  private int runSegments;
  private long joinedSends;
  private long joinedDatagrams;
  /** One listener for every joined send, not a new one each (allocation is young collections). */
  private final ChannelFutureListener joinedSendDone = sent -> {
    if (!sent.isSuccess() && joining) {
      joining = false;
      log.warn("A UDP GSO send failed ({}); this socket sends datagrams one by one from now on",
          String.valueOf(sent.cause()));
    }
  };

  ReplyWriter(ChannelHandlerContext ctx, boolean joining) {
    this.ctx = ctx;
    this.joining = joining;
  }

  /** Queues a copy of the datagram for {@code to}; sent by the next {@link #flush}. */
  void write(InetSocketAddress to, ByteBuffer datagram) {
    int size = datagram.remaining();
    if (!joining || size > MAX_SEGMENT_BYTES || size == 0) {
      writeRun();
      ctx.write(new DatagramPacket(copy(datagram), to), ctx.voidPromise());
      return;
    }
    if (run != null
        && (size != runSegmentBytes || runSegments == MAX_SEGMENTS || !to.equals(runDestination))) {
      writeRun();
    }
    if (run == null) {
      run = ctx.alloc().directBuffer(size * 8, size * MAX_SEGMENTS);
      runDestination = to;
      runSegmentBytes = size;
      runSegments = 0;
    }
    run.writeBytes(datagram);
    runSegments++;
  }

  /** Sends everything queued. */
  void flush() {
    writeRun();
    ctx.flush();
  }

  /** Datagrams that left in joined sends, and those sends (for tests and the profile). */
  long joinedDatagrams() {
    return joinedDatagrams;
  }

  long joinedSends() {
    return joinedSends;
  }

  private void writeRun() {
    if (run == null) {
      return;
    }
    ByteBuf content = run;
    run = null;
    if (runSegments == 1) {
      ctx.write(new DatagramPacket(content, runDestination), ctx.voidPromise());
      return;
    }
    joinedSends++;
    joinedDatagrams += runSegments;
    ctx.write(new SegmentedDatagramPacket(content, runSegmentBytes, runDestination))
        .addListener(joinedSendDone);
  }

  private ByteBuf copy(ByteBuffer datagram) {
    return ctx.alloc().directBuffer(datagram.remaining()).writeBytes(datagram);
  }
}
