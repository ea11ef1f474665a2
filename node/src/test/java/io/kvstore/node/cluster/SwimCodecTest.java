package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.cluster.SwimMessage.Ack;
import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Nack;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.PingReq;
import io.kvstore.node.cluster.SwimMessage.PushPull;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import io.kvstore.protocol.InternalFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SwimCodecTest {
  /** 32 two-byte characters: exactly the 64-byte maximum. */
  private static final NodeId LONGEST_ID = new NodeId("é".repeat(32));
  private static final NodeId A = new NodeId("node-a");
  private static final InetSocketAddress IPV4 = address(new byte[] {10, 1, 2, 3}, 4000);
  private static final InetSocketAddress IPV6 =
      address(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 65535);
  private static final List<Update> EVERY_KIND = List.of(
      new Update(Kind.ALIVE, A, IPV4, 1_750_000_000_000L, A),
      new Update(Kind.ALIVE, LONGEST_ID, IPV6, Long.MAX_VALUE, LONGEST_ID),
      new Update(Kind.SUSPECT, A, null, 7, LONGEST_ID),
      new Update(Kind.DEAD, LONGEST_ID, null, 0, A),
      new Update(Kind.LEFT, A, null, -1, null));

  static Stream<SwimMessage> everyMessageType() {
    return Stream.of(
        new Ping(1, A, EVERY_KIND.get(0), EVERY_KIND),
        new Ping(-1, null, EVERY_KIND.get(1), List.of()),
        new PingReq(Integer.MAX_VALUE, LONGEST_ID, IPV6, EVERY_KIND.get(1), EVERY_KIND),
        new PingReq(2, A, IPV4, EVERY_KIND.get(0), List.of()),
        new Ack(3, EVERY_KIND),
        new Nack(4, List.of()),
        new Gossip(EVERY_KIND),
        new PushPull(5, true, false, 0, EVERY_KIND),
        new PushPull(-6, false, true, 65535, List.of()));
  }

  @ParameterizedTest
  @MethodSource("everyMessageType")
  void everyMessageSurvivesARoundTrip(SwimMessage message) {
    byte[] datagram = SwimCodec.encode(new byte[16], message);

    assertThat(decode(datagram)).isEqualTo(message);
    assertThat(SwimCodec.handles(InternalFrame.type(ByteBuffer.wrap(datagram)))).isTrue();
  }

  @Test
  void sizeIsTheEncodedSizeOfAnUpdate() {
    for (Update u : EVERY_KIND) {
      int withOne = SwimCodec.encode(new byte[16], new Gossip(List.of(u))).length;
      int withNone = SwimCodec.encode(new byte[16], new Gossip(List.of())).length;
      assertThat(SwimCodec.size(u)).isEqualTo(withOne - withNone);
    }
  }

  @ParameterizedTest
  @MethodSource("everyMessageType")
  void aDatagramCutShortAtAnyByteIsMalformed(SwimMessage message) {
    byte[] datagram = SwimCodec.encode(new byte[16], message);
    for (int length = InternalFrame.HEADER; length < datagram.length; length++) {
      byte[] truncated = Arrays.copyOf(datagram, length);
      assertThatThrownBy(() -> decode(truncated))
          .as("cut at %d of %d bytes", length, datagram.length)
          .isInstanceOf(MalformedMessageException.class);
    }
  }

  @Test
  void anImplausibleUpdateCountIsMalformed() {
    byte[] datagram = gossipOf(EVERY_KIND.get(0));
    datagram[InternalFrame.HEADER] = (byte) 0xFF;
    datagram[InternalFrame.HEADER + 1] = (byte) 0xFF;

    assertThatThrownBy(() -> decode(datagram)).isInstanceOf(MalformedMessageException.class);
  }

  @Test
  void anAddressOfAnyLengthButFourOrSixteenIsMalformed() {
    Update alive = EVERY_KIND.get(0);
    int addressLength = InternalFrame.HEADER + 2 + 1 + 8 + 1 + 6 + 1 + 6;
    for (int length : new int[] {0, 5, 15, 17, 255}) {
      byte[] datagram = gossipOf(alive);
      assertThat(datagram[addressLength]).isEqualTo((byte) 4);
      datagram[addressLength] = (byte) length;
      assertThatThrownBy(() -> decode(datagram)).isInstanceOf(MalformedMessageException.class);
    }
  }

  @Test
  void anUnknownUpdateKindIsMalformed() {
    byte[] datagram = gossipOf(EVERY_KIND.get(2));
    datagram[InternalFrame.HEADER + 2] = (byte) Kind.values().length;

    assertThatThrownBy(() -> decode(datagram)).isInstanceOf(MalformedMessageException.class);
  }

  @Test
  void anIdLongerThanTheMaximumIsMalformed() {
    byte[] datagram = gossipOf(EVERY_KIND.get(2));
    datagram[InternalFrame.HEADER + 2 + 1 + 8] = (byte) (NodeId.MAX_BYTES + 1);

    assertThatThrownBy(() -> decode(datagram)).isInstanceOf(MalformedMessageException.class);
  }

  @Test
  void anUnknownMessageTypeIsMalformed() {
    ByteBuffer body = ByteBuffer.wrap(new byte[] {0, 0});

    assertThat(SwimCodec.handles(SwimCodec.PUSH_PULL + 1)).isFalse();
    assertThatThrownBy(() -> SwimCodec.decode(SwimCodec.PUSH_PULL + 1, body))
        .isInstanceOf(MalformedMessageException.class);
  }

  @Test
  void randomCorruptionGivesAMessageOrMalformedNeverAnotherException() {
    SplittableRandom random = new SplittableRandom(7);
    List<byte[]> originals = everyMessageType().map(m -> SwimCodec.encode(new byte[16], m)).toList();
    for (int i = 0; i < 20_000; i++) {
      byte[] datagram = originals.get(random.nextInt(originals.size())).clone();
      for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
        int at = InternalFrame.HEADER + random.nextInt(datagram.length - InternalFrame.HEADER);
        datagram[at] = (byte) random.nextInt(256);
      }
      try {
        decode(datagram);
      } catch (MalformedMessageException expected) {
        // the only acceptable failure
      }
    }
  }

  private static SwimMessage decode(byte[] datagram) {
    ByteBuffer buffer = ByteBuffer.wrap(datagram);
    return SwimCodec.decode(InternalFrame.type(buffer), buffer.position(InternalFrame.HEADER).slice());
  }

  private static byte[] gossipOf(Update update) {
    return SwimCodec.encode(new byte[16], new Gossip(List.of(update)));
  }

  private static InetSocketAddress address(byte[] ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
