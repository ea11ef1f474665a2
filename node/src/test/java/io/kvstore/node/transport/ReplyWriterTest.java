package io.kvstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplyWriterTest {
  private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 1001);
  private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 1002);

  private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
  private final ChannelHandlerContext ctx = channel.pipeline().firstContext();

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  @Test
  void equalSizedRunsToOneDestinationLeaveAsOneSegmentedSendInOrder() {
    ReplyWriter writer = new ReplyWriter(ctx, true);
    writer.write(A, datagram(17, 1));
    writer.write(A, datagram(17, 2));
    writer.write(A, datagram(17, 3));
    writer.write(B, datagram(17, 4));
    writer.write(A, datagram(119, 5));
    writer.write(A, datagram(119, 6));
    writer.write(A, datagram(17, 7));
    assertThat((Object) channel.readOutbound()).as("nothing leaves before flush").isNull();
    writer.flush();

    List<Object> sent = outbound();
    assertThat(sent).hasSize(4);
    assertSegmented(sent.get(0), A, 17, 1, 2, 3);
    assertSingle(sent.get(1), B, 17, 4);
    assertSegmented(sent.get(2), A, 119, 5, 6);
    assertSingle(sent.get(3), A, 17, 7);
    assertThat(writer.joinedSends()).isEqualTo(2);
    assertThat(writer.joinedDatagrams()).isEqualTo(5);
  }

  @Test
  void aRunIsCutAtTheSegmentLimitAndLargeDatagramsGoAlone() {
    ReplyWriter writer = new ReplyWriter(ctx, true);
    for (int i = 0; i < ReplyWriter.MAX_SEGMENTS + 1; i++) {
      writer.write(A, datagram(20, i));
    }
    writer.write(A, datagram(ReplyWriter.MAX_SEGMENT_BYTES + 1, 9));
    writer.write(A, datagram(ReplyWriter.MAX_SEGMENT_BYTES + 1, 9));
    writer.flush();

    List<Object> sent = outbound();
    assertThat(sent).hasSize(4);
    assertThat(sent.get(0)).isInstanceOf(SegmentedDatagramPacket.class);
    assertThat(((DatagramPacket) sent.get(0)).content().readableBytes())
        .isEqualTo(20 * ReplyWriter.MAX_SEGMENTS);
    assertSingle(sent.get(1), A, 20, ReplyWriter.MAX_SEGMENTS);
    assertThat(sent.get(2)).isNotInstanceOf(SegmentedDatagramPacket.class);
    assertThat(sent.get(3)).isNotInstanceOf(SegmentedDatagramPacket.class);
  }

  @Test
  void withoutJoiningEveryDatagramLeavesAlone() {
    ReplyWriter writer = new ReplyWriter(ctx, false);
    writer.write(A, datagram(17, 1));
    writer.write(A, datagram(17, 2));
    writer.flush();

    List<Object> sent = outbound();
    assertSingle(sent.get(0), A, 17, 1);
    assertSingle(sent.get(1), A, 17, 2);
    assertThat(writer.joinedSends()).isZero();
  }

  private List<Object> outbound() {
    List<Object> sent = new ArrayList<>();
    for (Object message; (message = channel.readOutbound()) != null; ) {
      sent.add(message);
    }
    return sent;
  }

  private static ByteBuffer datagram(int size, int mark) {
    ByteBuffer datagram = ByteBuffer.allocate(size);
    datagram.put(0, (byte) mark);
    return datagram;
  }

  private static void assertSingle(Object message, InetSocketAddress to, int size, int mark) {
    assertThat(message).isNotInstanceOf(SegmentedDatagramPacket.class);
    DatagramPacket packet = (DatagramPacket) message;
    assertThat(packet.recipient()).isEqualTo(to);
    assertThat(packet.content().readableBytes()).isEqualTo(size);
    assertThat(packet.content().getByte(0)).isEqualTo((byte) mark);
    packet.release();
  }

  private static void assertSegmented(Object message, InetSocketAddress to, int size, int... marks) {
    assertThat(message).isInstanceOf(SegmentedDatagramPacket.class);
    SegmentedDatagramPacket packet = (SegmentedDatagramPacket) message;
    assertThat(packet.recipient()).isEqualTo(to);
    assertThat(packet.segmentSize()).isEqualTo(size);
    assertThat(packet.content().readableBytes()).isEqualTo(size * marks.length);
    for (int i = 0; i < marks.length; i++) {
      assertThat(packet.content().getByte(i * size)).isEqualTo((byte) marks[i]);
    }
    packet.release();
  }
}
