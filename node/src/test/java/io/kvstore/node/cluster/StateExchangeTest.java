package io.kvstore.node.cluster;

import io.kvstore.node.runtime.ManualClock;
import static io.kvstore.node.cluster.MembershipHarness.address;
import static io.kvstore.node.cluster.MembershipHarness.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.PushPull;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Push-pull: full-state exchange, and joining through a seed. */
class StateExchangeTest {
  private final MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(3);

  @Test
  void aStateRequestIsMergedThenAnsweredWithTheWholeTable() {
    node.sent.clear();
    node.receive(4, new PushPull(9, false, false, 0,
        List.of(new Update(Kind.ALIVE, peer(4), address(4), 1, peer(4)))));

    PushPull reply = node.sentOf(PushPull.class).get(0);
    assertThat(node.sent.get(node.sent.size() - 1).to()).isEqualTo(address(4));
    assertThat(reply.reply()).isTrue();
    assertThat(reply.exchange()).isEqualTo(9);
    assertThat(reply.updates()).extracting(Update::id)
        .contains(MembershipHarness.SELF, peer(1), peer(2), peer(3));
    node.time.advance(1); // the newcomer answers its admission probe
    assertThat(node.stateOf(4)).isEqualTo(MemberState.ALIVE);
  }

  @Test
  void aRemoteDeadIsOnlyAReasonToSuspect() {
    node.receive(2, new PushPull(1, false, true, 0,
        List.of(new Update(Kind.DEAD, peer(1), null, MembershipHarness.START_INCARNATION, peer(2)))));

    assertThat(node.stateOf(1)).isEqualTo(MemberState.SUSPECT);
  }

  @Test
  void aJoinerAsksItsSeedWithBackOffUntilAnswered() {
    ManualClock time = new ManualClock();
    List<MembershipHarness.Sent> sent = new java.util.ArrayList<>();
    SwimMembership joiner = new SwimMembership(new NodeId("joiner"), address(50), SwimConfig.defaults(), time,
        new java.util.SplittableRandom(2), (to, d) -> sent.add(new MembershipHarness.Sent(to, decode(d))), time);
    joiner.start(List.of(address(1)));

    time.advance(1_000);
    long asked = sent.stream().filter(s -> s.message() instanceof PushPull p && p.join()).count();
    assertThat(asked).isBetween(2L, 4L); // 0, 200, 600 ms: doubling back-off
    assertThat(joiner.isJoined()).isFalse();

    joiner.onDatagram(address(1), SwimCodec.encode(new byte[16], new PushPull(0, false, true, 0,
        List.of(new Update(Kind.ALIVE, peer(1), address(1), 1, peer(1))))));
    sent.clear();
    time.advance(20_000);

    assertThat(joiner.isJoined()).isTrue();
    assertThat(sent).noneSatisfy(s -> assertThat(s.message() instanceof PushPull p && p.join()).isTrue());
  }

  private static SwimMessage decode(byte[] datagram) {
    var buffer = java.nio.ByteBuffer.wrap(datagram);
    return SwimCodec.decode(io.kvstore.protocol.InternalFrame.type(buffer),
        buffer.position(io.kvstore.protocol.InternalFrame.HEADER).slice());
  }
}
