package io.kvstore.node.cluster;

import static io.kvstore.node.cluster.MembershipHarness.address;
import static io.kvstore.node.cluster.MembershipHarness.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.Ack;
import io.kvstore.node.cluster.SwimMessage.Nack;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.PingReq;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Probing, indirect probing and Lifeguard's nacks, through one node driven by hand. */
class FailureDetectorTest {
  private final MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(4);

  @Test
  void membersThatAnswerStayAliveAndTheNodeStaysHealthy() {
    node.time.advance(20_000);

    assertThat(node.membership.stats().probes()).isGreaterThanOrEqualTo(19);
    assertThat(node.membership.stats().failedProbes()).isZero();
    assertThat(node.membership.liveCount()).isEqualTo(5);
    assertThat(node.membership.localHealth()).isZero();
  }

  @Test
  void aSilentMemberIsProbedIndirectlyThenSuspected() {
    for (int i = 1; i <= 4; i++) {
      node.silent.add(address(i));
    }

    node.time.advance(2_000); // one probe period (the first starts at a random phase)

    Ping ping = node.sentOf(Ping.class).get(0);
    List<PingReq> indirect = node.sentOf(PingReq.class);
    assertThat(indirect).hasSize(3).allSatisfy(r -> assertThat(r.target()).isEqualTo(ping.target()));
    assertThat(node.membership.member(ping.target()).state()).isEqualTo(MemberState.SUSPECT);
    assertThat(node.membership.stats().suspicionsRaised()).isEqualTo(1);
    // Lifeguard: none of the three helpers nacked, so this node doubts itself.
    assertThat(node.membership.localHealth()).isEqualTo(3);
  }

  @Test
  void nacksFromTheHelpersSpareTheNodesOwnHealth() {
    for (int i = 1; i <= 4; i++) {
      node.silent.add(address(i));
    }
    for (int ms = 0; ms < 2_000 && node.sentOf(PingReq.class).isEmpty(); ms++) {
      node.time.advance(1); // until the direct ping timed out and the indirect probes are out
    }
    assertThat(node.sentOf(PingReq.class)).hasSize(3);
    for (PingReq req : node.sentOf(PingReq.class)) {
      node.receive(1, new Nack(req.seq(), List.of()));
    }

    node.time.advance(600);

    assertThat(node.membership.stats().failedProbes()).isEqualTo(1);
    assertThat(node.membership.localHealth()).isZero();
  }

  private static SwimMessage.Update source(int peer) {
    return new SwimMessage.Update(SwimMessage.Update.Kind.ALIVE, peer(peer), address(peer),
        MembershipHarness.START_INCARNATION, peer(peer));
  }

  @Test
  void aPingNamingAnotherMemberIsNotAnswered() {
    node.receive(2, new Ping(5, peer(77), source(2), List.of()));

    assertThat(node.sentOf(Ack.class)).isEmpty();
  }

  @Test
  void anIndirectProbeIsRelayedAndItsAckPassedBack() {
    node.receive(2, new PingReq(41, peer(3), address(3), source(2), List.of()));
    node.time.advance(5);

    assertThat(node.sentOf(Ping.class)).anySatisfy(p -> assertThat(p.target()).isEqualTo(peer(3)));
    assertThat(node.sent).anySatisfy(s -> {
      assertThat(s.to()).isEqualTo(address(2));
      assertThat(s.message()).isInstanceOf(Ack.class);
      assertThat(((Ack) s.message()).seq()).isEqualTo(41);
    });
  }

  @Test
  void anIndirectProbeOfASilentMemberIsNacked() {
    node.silent.add(address(3));
    node.receive(2, new PingReq(42, peer(3), address(3), source(2), List.of()));

    node.time.advance(500);

    assertThat(node.sentOf(Nack.class)).extracting(Nack::seq).containsExactly(42);
    assertThat(node.sentOf(Ack.class)).noneSatisfy(a -> assertThat(a.seq()).isEqualTo(42));
  }

  @Test
  void aMissedAckIsAskedForDirectlyAgainBesideTheIndirectProbes() {
    for (int i = 1; i <= 4; i++) {
      node.silent.add(address(i));
    }
    for (int ms = 0; ms < 2_000 && node.sentOf(PingReq.class).isEmpty(); ms++) {
      node.time.advance(1);
    }
    Ping first = node.sentOf(Ping.class).get(0);
    List<Ping> toTarget = node.sentOf(Ping.class).stream().filter(p -> p.target().equals(first.target())).toList();
    assertThat(toTarget).hasSize(2).allSatisfy(p -> assertThat(p.seq()).isEqualTo(first.seq()));
    assertThat(toTarget.get(1).updates()).as("the retry carries no gossip").isEmpty();
    assertThat(node.membership.stats().directRetries()).isEqualTo(1);

    // The target answers the second ping: it is not suspected.
    int target = Integer.parseInt(first.target().toString().substring("peer-".length()));
    node.receive(target, new Ack(first.seq(), List.of(source(target))));
    node.time.advance(600);

    assertThat(node.membership.member(first.target()).state()).isEqualTo(MemberState.ALIVE);
    assertThat(node.membership.stats().suspicionsRaised()).isZero();
  }

  @Test
  void onlyAProberThatIsALiveMemberAtItsAddressGetsGossipOnTheAck() {
    node.suspicion(1, peer(3), MembershipHarness.START_INCARNATION); // queues a suspicion to spread

    node.receive(2, new Ping(7, MembershipHarness.SELF, source(2), List.of()));
    node.receive(9, new Ping(8, MembershipHarness.SELF, source(9), List.of())); // not a member yet
    node.receive(4, new Ping(9, MembershipHarness.SELF, source(2), List.of())); // peer 2's name, another address

    List<Ack> acks = node.sentOf(Ack.class);
    assertThat(acks).extracting(Ack::seq).containsExactly(7, 8, 9);
    assertThat(acks.get(0).updates()).hasSizeGreaterThan(1)
        .anySatisfy(u -> assertThat(u.kind()).isEqualTo(SwimMessage.Update.Kind.SUSPECT));
    for (Ack ack : acks.subList(1, 3)) {
      assertThat(ack.updates()).as("only our own alive update")
          .singleElement().satisfies(u -> assertThat(u.id()).isEqualTo(MembershipHarness.SELF));
    }
  }
}
