package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kvstore.node.cluster.SwimMessage.PingReq;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.protocol.InternalFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the membership decoder with whatever a forged internal datagram may hold: it either
 * returns a well-formed message (every update names a member, ALIVE updates carry an address, ids
 * fit their length byte) that survives re-encoding unchanged, or throws {@link
 * MalformedMessageException}; anything else escapes this test as a failure. The first input byte
 * picks the message type, the rest is the body. CI runs the seeds in {@code
 * src/test/resources/io/kvstore/node/cluster/SwimCodecFuzzTestInputs}; bench/fuzz.sh fuzzes.
 */
class SwimCodecFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void decodesToAWellFormedMessageOrRejectsIt(byte[] data) {
    if (data.length == 0) {
      return;
    }
    int type = SwimCodec.PING + Math.floorMod(data[0], SwimCodec.PUSH_PULL - SwimCodec.PING + 1);
    ByteBuffer body = ByteBuffer.wrap(data, 1, data.length - 1).slice();
    SwimMessage message;
    try {
      message = SwimCodec.decode(type, body);
    } catch (MalformedMessageException expected) {
      return;
    }
    assertThat(message.updates()).isNotNull().hasSizeLessThanOrEqualTo(4096);
    message.updates().forEach(SwimCodecFuzzTest::checkUpdate);
    if (message instanceof Ping p) {
      checkUpdate(p.source());
    } else if (message instanceof PingReq p) {
      checkUpdate(p.source());
      assertThat(p.targetAddress()).isNotNull();
    }
    byte[] again = SwimCodec.encode(new byte[16], message);
    assertThat(again[InternalFrame.TYPE_OFFSET] & 0xFF).isEqualTo(type);
    ByteBuffer reencoded = ByteBuffer.wrap(again, InternalFrame.HEADER, again.length - InternalFrame.HEADER);
    assertThat(SwimCodec.decode(type, reencoded)).isEqualTo(message);
    assertThat(reencoded.hasRemaining()).isFalse();
  }

  private static void checkUpdate(Update u) {
    assertThat(u.kind()).isNotNull();
    assertThat(u.id()).isNotNull();
    assertThat(u.id().value().getBytes(StandardCharsets.UTF_8).length).isBetween(1, NodeId.MAX_BYTES);
    assertThat(u.address() != null).isEqualTo(u.kind() == Update.Kind.ALIVE);
  }
}
