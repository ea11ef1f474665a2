package io.kvstore.node.transport;

import io.kvstore.node.request.DatagramSink;
import io.kvstore.node.request.RequestPipeline;
import io.kvstore.node.runtime.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty end of one socket's {@link RequestPipeline}, and nothing else: it feeds each received
 * datagram in, ends the pipeline's batch when a read batch ends, and sends what the pipeline
 * returns (copied into pooled direct buffers, equal-sized replies to one client joined by
 * {@link ReplyWriter}). The pipeline's timers run on this channel's event loop.
 * Each datagram reaches the pipeline as a copy in one buffer ({@link ReceivedDatagram}).
 */
final class PipelineHandler extends ChannelInboundHandlerAdapter implements DatagramSink {
  private static final Logger log = LoggerFactory.getLogger(PipelineHandler.class);

  /** Builds the pipeline once the socket is bound: (its scheduler and sink, local address). */
  interface PipelineFactory {
    RequestPipeline create(Scheduler loop, DatagramSink sink, InetSocketAddress localAddress);
  }

  private final PipelineFactory factory;
  private final InetSocketAddress configuredAddress;
  private final boolean joinReplies;
  private final LongAdder unsent;
  private ChannelHandlerContext ctx;
  private ReplyWriter writer;
  private RequestPipeline pipeline;
  private final ReceivedDatagram received = new ReceivedDatagram(UdpTransport.DATAGRAM_SLOT);

  /**
   * @param joinReplies the channel is native epoll and the kernel has UDP GSO
   * @param unsent counts datagrams dropped because the socket's unsent queue is full
   */
  PipelineHandler(PipelineFactory factory, InetSocketAddress configuredAddress, boolean joinReplies,
      LongAdder unsent) {
    this.factory = factory;
    this.configuredAddress = configuredAddress;
    this.joinReplies = joinReplies;
    this.unsent = unsent;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.writer = new ReplyWriter(ctx, joinReplies);
    InetSocketAddress local =
        ctx.channel().localAddress() instanceof InetSocketAddress a ? a : configuredAddress;
    // Timers, even at delay 0: they run after the loop's next read, immediate tasks before it
    // (a self-rescheduling drain would otherwise starve the socket).
    pipeline = factory.create(Scheduler.on(ctx.executor()), this, local);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    DatagramPacket packet = (DatagramPacket) msg;
    try {
      pipeline.onDatagram(packet.sender(), received.copyOf(packet.content()));
    } finally {
      packet.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    pipeline.endBatch();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (pipeline != null) {
      pipeline.close();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("UDP socket error (the node keeps serving)", cause);
  }

  @Override
  public void send(InetSocketAddress to, ByteBuffer datagram) {
    if (!ctx.channel().isWritable()) {
      unsent.increment(); // the kernel has refused sends for 8 MB: a lost datagram, as UDP allows
      return;
    }
    writer.write(to, datagram);
  }

  @Override
  public void sendThen(InetSocketAddress to, ByteBuffer datagram, Runnable afterSent) {
    writer.flush(); // what was queued before leaves first
    if (!ctx.channel().isWritable()) {
      unsent.increment();
      afterSent.run();
      return;
    }
    ctx.writeAndFlush(packet(to, datagram)).addListener(f -> afterSent.run());
  }

  @Override
  public void flush() {
    writer.flush();
  }

  private DatagramPacket packet(InetSocketAddress to, ByteBuffer datagram) {
    ByteBuf copy = ctx.alloc().directBuffer(datagram.remaining()).writeBytes(datagram);
    return new DatagramPacket(copy, to);
  }
}
