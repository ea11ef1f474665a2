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
   * With 10 live members the suspicion timeout runs from 8 s (max) down to 2 s (min) as
   * independent confirmations arrive: 8 s - 6 s · log(c) / log(k + 1) with k = 3 indirect probes.
   * Compared with a lone accusation, so that what happens once the timeout expires does not count.
   */
  @ParameterizedTest
  @CsvSource({"2, 3000", "4, 6000", "6, 6000"})
  void lifeguardSuspicionTimeoutShrinksWithIndependentConfirmations(int accusers, long shorterByMillis) {
    long alone = millisUntilDeclaredDead(1);

    assertThat(alone).isGreaterThanOrEqualTo(8_000);
    assertThat(millisUntilDeclaredDead(accusers)).isEqualTo(alone - shorterByMillis);
  }

  private static long millisUntilDeclaredDead(int accusers) {
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(9);
    for (int accuser = 2; accuser < 2 + accusers; accuser++) {
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
  void theSameAccuserTwiceIsOneConfirmation() {
    node.suspicion(2, peer(1), START_INCARNATION);
    node.suspicion(2, peer(1), START_INCARNATION);

    node.time.advance(millisUntilDeclaredDead(1) - 1);
    assertThat(node.stateOf(1)).isEqualTo(MemberState.SUSPECT);
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
