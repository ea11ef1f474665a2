package io.kvstore.node.cluster;

import static io.kvstore.node.cluster.MembershipHarness.START_INCARNATION;
import static io.kvstore.node.cluster.MembershipHarness.address;
import static io.kvstore.node.cluster.MembershipHarness.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.PushPull;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What makes a healed partition converge in seconds (docs/CLUSTER.md "Admission"): a lost
 * admission probe to a member's known address is retried, a stranger's is not, and re-admitting
 * a member we held dead starts a state exchange with it, at most one per probe interval.
 */
class ReadmissionTest {
  private static MembershipHarness withDeadPeers(int... dead) {
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(9);
    for (int p : dead) {
      node.receive(2, new Gossip(List.of(new Update(Kind.DEAD, peer(p), null, START_INCARNATION, peer(2)))));
      node.incarnations.put(peer(p), START_INCARNATION + 1);
    }
    node.sent.clear();
    return node;
  }

  private static void refutes(MembershipHarness node, int p, InetSocketAddress at) {
    node.receive(3, new Gossip(List.of(new Update(Kind.ALIVE, peer(p), at, START_INCARNATION + 1, peer(p)))));
  }

  private static long probesTo(MembershipHarness node, InetSocketAddress to) {
    return node.sent.stream().filter(s -> s.to().equals(to) && s.message() instanceof Ping).count();
  }

  @Test
  void aLostProbeToTheKnownAddressOfADeadMemberIsRetriedAndItIsAdmitted() {
    MembershipHarness node = withDeadPeers(1);
    node.silent.add(address(1)); // the first probe is lost

    refutes(node, 1, address(1));
    node.time.advance(500);
    node.silent.remove(address(1));
    node.time.advance(600); // the retry, one probe interval after the first

    assertThat(node.stateOf(1)).isEqualTo(MemberState.ALIVE);
    assertThat(probesTo(node, address(1))).isEqualTo(2);
    assertThat(node.membership.stats().admissionsFailed()).isZero();
  }

  @Test
  void aKnownAddressThatNeverAnswersGetsThreeProbesThenFails() {
    MembershipHarness node = withDeadPeers(1);
    node.silent.add(address(1));

    refutes(node, 1, address(1));
    node.time.advance(10_000);

    assertThat(node.stateOf(1)).isEqualTo(MemberState.DEAD);
    assertThat(probesTo(node, address(1))).isEqualTo(Admission.KNOWN_ADDRESS_ATTEMPTS);
    assertThat(node.membership.stats().admissionsFailed()).isEqualTo(1);
    assertThat(node.membership.pendingAdmissions()).isZero();
  }

  @Test
  void aStrangerOrANewAddressGetsOneProbe() {
    MembershipHarness node = withDeadPeers(1);
    node.silent.add(address(1));
    node.silent.add(address(50));
    node.silent.add(address(60));

    refutes(node, 1, address(50)); // a dead member claimed at another address
    node.receive(3, new Gossip(List.of(new Update(Kind.ALIVE, peer(60), address(60), START_INCARNATION, peer(60)))));
    node.time.advance(10_000);

    assertThat(probesTo(node, address(50))).isEqualTo(1);
    assertThat(probesTo(node, address(60))).isEqualTo(1);
    assertThat(node.membership.stats().admissionsFailed()).isEqualTo(2);
  }

  @Test
  void reAdmittingADeadMemberExchangesStatesWithItAtMostOncePerProbeInterval() {
    MembershipHarness node = withDeadPeers(1, 4, 5);

    refutes(node, 1, address(1));
    refutes(node, 4, address(4));
    node.time.advance(2);
    assertThat(node.stateOf(1)).isEqualTo(MemberState.ALIVE);
    assertThat(node.stateOf(4)).isEqualTo(MemberState.ALIVE);
    node.time.advance(1_000);
    refutes(node, 5, address(5));
    node.time.advance(2);

    assertThat(pushesTo(node, address(1))).isEqualTo(1);
    assertThat(pushesTo(node, address(4))).as("within the probe interval of the first").isZero();
    assertThat(pushesTo(node, address(5))).isEqualTo(1);
    PushPull push = node.sentOf(PushPull.class).get(0);
    assertThat(push.reply()).isFalse();
    assertThat(push.updates()).extracting(Update::id).contains(peer(2), peer(9));
  }

  @Test
  void admittingANewcomerStartsNoExchange() {
    MembershipHarness node = withDeadPeers();

    node.receive(3, new Gossip(List.of(new Update(Kind.ALIVE, peer(20), address(20), START_INCARNATION, peer(20)))));
    node.time.advance(2);

    assertThat(node.stateOf(20)).isEqualTo(MemberState.ALIVE);
    assertThat(node.sentOf(PushPull.class)).isEmpty();
  }

  private static long pushesTo(MembershipHarness node, InetSocketAddress to) {
    return node.sent.stream().filter(s -> s.to().equals(to) && s.message() instanceof PushPull).count();
  }
}
