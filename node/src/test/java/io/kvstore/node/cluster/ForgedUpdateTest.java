package io.kvstore.node.cluster;

import static io.kvstore.node.cluster.MembershipHarness.SELF;
import static io.kvstore.node.cluster.MembershipHarness.START_INCARNATION;
import static io.kvstore.node.cluster.MembershipHarness.address;
import static io.kvstore.node.cluster.MembershipHarness.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Nack;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.PingReq;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** StateMerge's rules against forged or buggy updates (docs/SECURITY.md "Membership"). */
class ForgedUpdateTest {
  private static final long STEP = 1_000;
  private final MembershipHarness node =
      new MembershipHarness(SwimConfig.defaults(), new MembershipLimits(1_000, 100, 200, STEP, 64)).withPeers(9);

  private void gossip(int fromPeer, Update u) {
    node.receive(fromPeer, new Gossip(List.of(u)));
  }

  @Test
  void aLeaveAnnouncedByAnyoneButTheMemberIsRejected() {
    gossip(2, new Update(Kind.LEFT, peer(1), null, START_INCARNATION, peer(2)));

    assertThat(node.stateOf(1)).isEqualTo(MemberState.ALIVE);
    assertThat(node.membership.stats().rejectedUpdates()).isEqualTo(1);
  }

  @Test
  void aLeaveAtTheMaximumIncarnationIsRejected() {
    gossip(2, new Update(Kind.LEFT, peer(1), null, Long.MAX_VALUE, peer(1)));
    gossip(2, new Update(Kind.LEFT, peer(1), null, START_INCARNATION + STEP + 1, peer(1)));

    assertThat(node.stateOf(1)).isEqualTo(MemberState.ALIVE);
    assertThat(node.membership.stats().rejectedUpdates()).isEqualTo(2);
  }

  @Test
  void aMembersOwnLeaveIsAccepted() {
    gossip(1, new Update(Kind.LEFT, peer(1), null, START_INCARNATION, peer(1)));

    assertThat(node.stateOf(1)).isEqualTo(MemberState.LEFT);
  }

  @Test
  void aForgedLeaveAboutThisNodeIsRefutedAndTheRefutationBringsItBack() {
    long incarnation = node.membership.incarnation();

    gossip(2, new Update(Kind.LEFT, SELF, null, incarnation, SELF));

    assertThat(node.membership.incarnation()).isEqualTo(incarnation + 1);
    assertThat(node.membership.self().state()).isEqualTo(MemberState.ALIVE);
    node.time.advance(1_000);
    assertThat(node.sentUpdates()).contains(new Update(Kind.ALIVE, SELF, address(0), incarnation + 1, SELF));
  }

  @Test
  void anAccusationFarAheadOfTheClockNeitherMovesNorOverflowsOurIncarnation() {
    long incarnation = node.membership.incarnation();

    gossip(2, new Update(Kind.LEFT, SELF, null, Long.MAX_VALUE, SELF));
    gossip(2, new Update(Kind.DEAD, SELF, null, Long.MAX_VALUE, peer(2)));
    gossip(2, new Update(Kind.ALIVE, SELF, address(0), Long.MAX_VALUE, SELF));

    assertThat(node.membership.incarnation()).isEqualTo(incarnation);
    assertThat(node.membership.stats().rejectedUpdates()).isEqualTo(3);
  }

  @Test
  void aRelayedAliveMayRaiseTheIncarnationByABoundedStepOnly() {
    gossip(2, new Update(Kind.ALIVE, peer(1), address(1), START_INCARNATION + STEP + 1, peer(1)));
    assertThat(node.membership.member(peer(1)).incarnation()).isEqualTo(START_INCARNATION);

    gossip(2, new Update(Kind.ALIVE, peer(1), address(1), START_INCARNATION + STEP, peer(1)));
    assertThat(node.membership.member(peer(1)).incarnation()).isEqualTo(START_INCARNATION + STEP);
  }

  @Test
  void aMembersOwnWordFromItsOwnAddressMayJumpAsAfterARestart() {
    long restarted = node.time.currentTimeMillis();

    gossip(1, new Update(Kind.ALIVE, peer(1), address(1), restarted, peer(1)));

    assertThat(node.membership.member(peer(1)).incarnation()).isEqualTo(restarted);
  }

  @Test
  void noIncarnationMoreThanADayAheadOfTheClockIsAccepted() {
    long dayAndAMinute = node.time.currentTimeMillis() + 24L * 3600 * 1000 + 60_000;

    gossip(1, new Update(Kind.ALIVE, peer(1), address(1), dayAndAMinute, peer(1)));

    assertThat(node.membership.member(peer(1)).incarnation()).isEqualTo(START_INCARNATION);
  }

  @Test
  void aPingReqForAMemberWeDoNotKnowThereIsNackedNotRelayed() {
    Update requester = new Update(Kind.ALIVE, peer(2), address(2), START_INCARNATION, peer(2));
    node.receive(2, new PingReq(7, peer(99), address(99), requester, List.of()));
    node.receive(2, new PingReq(8, peer(3), address(99), requester, List.of()));

    assertThat(node.sent).noneSatisfy(s -> assertThat(s.to()).isEqualTo(address(99)));
    assertThat(node.sentOf(Nack.class)).extracting(Nack::seq).containsExactly(7, 8);
    assertThat(node.membership.stats().relaysRefused()).isEqualTo(2);
  }

  @Test
  void indirectProbesRunForOthersAreBounded() {
    Update requester = new Update(Kind.ALIVE, peer(2), address(2), START_INCARNATION, peer(2));
    node.silent.add(address(3));
    for (int i = 0; i < 100; i++) {
      node.receive(2, new PingReq(i, peer(3), address(3), requester, List.of()));
    }

    assertThat(node.sentOf(Ping.class).stream().filter(p -> p.target().equals(peer(3)))).hasSize(64);
    assertThat(node.membership.stats().relaysRefused()).isEqualTo(36);
  }
}
