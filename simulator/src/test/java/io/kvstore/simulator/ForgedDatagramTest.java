package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.MemberState;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.SwimCodec;
import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/** One forged datagram may cost a member a refutation, never its membership. */
class ForgedDatagramTest {
  /**
   * Measured below 1.3 s in 29 of 30 seeds; when one node misses the refutation it keeps the
   * member dead until a push-pull exchange (every 60 s per node at N = 50) brings it the news.
   */
  private static final Duration RECOVERY_BOUND = Duration.ofMinutes(3);
  private static final NodeId MALLORY = new NodeId("mallory");

  @SeededTest
  void aForgedDeathIsRefutedAndTheMemberIsAliveEverywhereAgain(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);
    SimNode victim = cluster.node(17);
    SimNode receiver = cluster.node(30);
    long incarnation = victim.membership().incarnation();

    forge(cluster, receiver, new Update(Kind.DEAD, victim.id(), null, incarnation, MALLORY));
    cluster.sim().runFor(Duration.ofMillis(10));
    assertThat(receiver.membership().member(victim.id()).state()).isEqualTo(MemberState.DEAD);

    boolean recovered = cluster.sim().runUntil(
        () -> cluster.everyoneSees(victim, m -> m.state() == MemberState.ALIVE && m.incarnation() > incarnation),
        RECOVERY_BOUND);
    assertThat(recovered).as("alive everywhere with a higher incarnation within %s", RECOVERY_BOUND).isTrue();
    assertThat(victim.membership().stats().refutations()).isEqualTo(1);
  }

  @SeededTest
  void anAliveClaimWithAnAbsurdIncarnationIsRejected(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);
    SimNode subject = cluster.node(17);
    SimNode receiver = cluster.node(30);
    long incarnation = subject.membership().incarnation();

    forge(cluster, receiver, new Update(Kind.ALIVE, subject.id(), subject.address(), Long.MAX_VALUE, MALLORY));
    cluster.sim().runFor(Duration.ofSeconds(30));

    assertThat(receiver.membership().stats().rejectedUpdates()).isEqualTo(1);
    assertThat(subject.membership().incarnation()).isEqualTo(incarnation);
    assertThat(cluster.everyoneSees(subject, m -> m.state() == MemberState.ALIVE && m.incarnation() == incarnation))
        .isTrue();
  }

  /** Issue 8's measurement: one forged "X left" at 2^63−1 evicted a healthy node for ~90 s. */
  @SeededTest
  void aForgedLeaveAtTheMaximumIncarnationChangesNothing(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);
    SimNode victim = cluster.node(17);
    long incarnation = victim.membership().incarnation();

    for (SimNode receiver : cluster.nodes()) {
      if (receiver != victim) {
        forge(cluster, receiver, new Update(Kind.LEFT, victim.id(), null, Long.MAX_VALUE, victim.id()));
      }
    }
    cluster.sim().runFor(Duration.ofSeconds(30));

    assertThat(cluster.everyoneSees(victim, m -> m.state() == MemberState.ALIVE && m.incarnation() == incarnation))
        .isTrue();
    assertThat(cluster.views().wrongVerdicts()).isEmpty();
  }

  @SeededTest
  void fiftyFakeAliveMembersAreNeverAdmitted(long seed) throws UnknownHostException {
    SimCluster cluster = Clusters.joined(seed, 50);
    List<Update> fakes = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 9, 0, (byte) i}), 4000);
      fakes.add(new Update(Kind.ALIVE, new NodeId("fake-" + i), nowhere, 1_000, new NodeId("fake-" + i)));
    }
    byte[] datagram = SwimCodec.encode(new byte[16], new Gossip(fakes));
    for (SimNode receiver : cluster.nodes()) {
      cluster.network().inject(attacker(), receiver.address(), datagram);
    }
    cluster.sim().runFor(Duration.ofSeconds(60));

    for (SimNode n : cluster.nodes()) {
      assertThat(n.membership().members()).hasSize(50);
      assertThat(n.membership().stats().admissionsFailed()).isEqualTo(50);
    }
  }

  private static void forge(SimCluster cluster, SimNode receiver, Update update) {
    byte[] datagram = SwimCodec.encode(new byte[16], new Gossip(List.of(update)));
    cluster.network().inject(attacker(), receiver.address(), datagram);
  }

  private static InetSocketAddress attacker() {
    try {
      return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 66, 66, 66}), SimCluster.PORT);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
