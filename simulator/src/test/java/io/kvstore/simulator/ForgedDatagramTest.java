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
