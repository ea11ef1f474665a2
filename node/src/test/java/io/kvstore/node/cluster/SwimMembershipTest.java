package io.kvstore.node.cluster;

import static io.kvstore.node.cluster.MembershipHarness.SELF;
import static io.kvstore.node.cluster.MembershipHarness.START_INCARNATION;
import static io.kvstore.node.cluster.MembershipHarness.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.Ack;
import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SwimMembershipTest {
  private final MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(9);

  @Test
  void learnsMembersFromGossip() {
    assertThat(node.membership.liveCount()).isEqualTo(10);
    assertThat(node.stateOf(9)).isEqualTo(MemberState.ALIVE);
  }

  @Test
  void aSuspicionAboutItselfIsRefutedWithAHigherIncarnationThatIsThenSpread() {
    long incarnation = node.membership.incarnation();

    node.suspicion(1, SELF, incarnation);
    Update prober = new Update(Kind.ALIVE, peer(2), MembershipHarness.address(2), START_INCARNATION, peer(2));
    node.receive(2, new Ping(77, SELF, prober, List.of()));

    assertThat(node.membership.incarnation()).isEqualTo(incarnation + 1);
    assertThat(node.membership.stats().refutations()).isEqualTo(1);
    Ack ack = (Ack) node.sent.get(node.sent.size() - 1).message();
    assertThat(ack.seq()).isEqualTo(77);
    assertThat(ack.updates()).contains(new Update(Kind.ALIVE, SELF, node.membership.selfAddress(), incarnation + 1, SELF));
  }

  @Test
  void aStaleSuspicionAboutItselfChangesNothing() {
    long incarnation = node.membership.incarnation();

    node.suspicion(1, SELF, incarnation - 1);

    assertThat(node.membership.incarnation()).isEqualTo(incarnation);
    assertThat(node.membership.stats().refutations()).isZero();
  }

  @ParameterizedTest
  @CsvSource({"SUSPECT", "DEAD", "LEFT"})
  void anAccusationNamingANewerIncarnationThanKnownIsRejected(Kind kind) {
    node.receive(2, new Gossip(List.of(new Update(kind, peer(1), null, START_INCARNATION + 1, peer(2)))));

    assertThat(node.stateOf(1)).isEqualTo(MemberState.ALIVE);
    assertThat(node.membership.member(peer(1)).incarnation()).isEqualTo(START_INCARNATION);
    assertThat(node.membership.stats().rejectedUpdates()).isEqualTo(1);
  }

  @Test
  void anAccusationAtTheKnownIncarnationIsAccepted() {
    node.suspicion(2, peer(1), START_INCARNATION);

    assertThat(node.stateOf(1)).isEqualTo(MemberState.SUSPECT);
  }

  @Test
  void aRefutationClearsTheSuspicion() {
    node.suspicion(2, peer(1), START_INCARNATION);

    node.receive(1, new Gossip(List.of(new Update(Kind.ALIVE, peer(1), MembershipHarness.address(1), START_INCARNATION + 1, peer(1)))));
    node.time.advance(60_000);

    assertThat(node.stateOf(1)).isEqualTo(MemberState.ALIVE);
    assertThat(node.membership.member(peer(1)).incarnation()).isEqualTo(START_INCARNATION + 1);
  }

  /**
   * With 10 live members, α = 2 and β = 4, the suspicion timeout runs from 8 s (max) down to 2 s
   * (min) as independent confirmations arrive: 8 s - 6 s · log(c) / log(k + 1) with k = 3 indirect
   * probes. Compared with a lone accusation, so that what happens once it expires does not count.
   */
  @ParameterizedTest
  @CsvSource({"2, 3000", "4, 6000", "6, 6000"})
  void lifeguardSuspicionTimeoutShrinksWithIndependentConfirmations(int accusers, long shorterByMillis) {
    long alone = millisUntilDeclaredDead(2);
    int[] several = IntStream.range(2, 2 + accusers).toArray();

    assertThat(alone).isGreaterThanOrEqualTo(8_000);
    assertThat(millisUntilDeclaredDead(several)).isEqualTo(alone - shorterByMillis);
  }

  @Test
  void theSameAccuserTwiceIsOneConfirmation() {
    assertThat(millisUntilDeclaredDead(2, 2)).isEqualTo(millisUntilDeclaredDead(2));
  }

  /** When peer 1 is declared dead after suspicions from {@code accusers}, α = 2 and β = 4. */
  private static long millisUntilDeclaredDead(int... accusers) {
    SwimConfig d = SwimConfig.defaults();
    SwimConfig suspicionTwoToEightSeconds = new SwimConfig(1000, d.probeTimeoutMillis(), 3,
        d.gossipIntervalMillis(), d.gossipFanout(), d.retransmitMult(), 2.0, 4.0, d.maxLocalHealth(),
        d.pushPullIntervalMillis(), d.deadRetentionMillis(), d.gossipToTheDeadMillis(), d.joinRetryMaxMillis(),
        d.maxDatagramBytes());
    MembershipHarness node = new MembershipHarness(suspicionTwoToEightSeconds).withPeers(9);
    for (int accuser : accusers) {
      node.suspicion(accuser, peer(1), START_INCARNATION);
    }
    for (long millis = 1; millis <= 60_000; millis++) {
      node.time.advance(1);
      if (node.stateOf(1) == MemberState.DEAD) {
        assertThat(node.membership.stats().declaredDead()).isEqualTo(1);
        return millis;
      }
    }
    throw new AssertionError("never declared dead");
  }

  @Test
  void aDeadMemberIsForgottenAfterTheRetention() {
    node.receive(2, new Gossip(List.of(new Update(Kind.DEAD, peer(1), null, START_INCARNATION, peer(2)))));
    assertThat(node.stateOf(1)).isEqualTo(MemberState.DEAD);

    node.time.advance(SwimConfig.defaults().deadRetentionMillis());

    assertThat(node.membership.member(peer(1))).isNull();
    assertThat(node.membership.liveCount()).isEqualTo(9);
  }
}
