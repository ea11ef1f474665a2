package io.kvstore.node.cluster;

import static io.kvstore.node.cluster.MembershipHarness.START_INCARNATION;
import static io.kvstore.node.cluster.MembershipHarness.address;
import static io.kvstore.node.cluster.MembershipHarness.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** New (or returning) members only after a direct probe, at a bounded rate, into bounded tables. */
class AdmissionTest {
  private static List<Update> fakes(int from, int count, MembershipHarness node) {
    List<Update> list = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      node.silent.add(address(i));
      list.add(new Update(Kind.ALIVE, peer(i), address(i), START_INCARNATION, peer(i)));
    }
    return list;
  }

  @Test
  void fiftyFakeAliveMembersInOneDatagramAreNeverAdmitted() {
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(9);

    node.receive(2, new Gossip(fakes(100, 50, node)));
    node.time.advance(5_000);

    assertThat(node.membership.liveCount()).isEqualTo(10);
    assertThat(node.membership.members()).hasSize(10);
    assertThat(node.membership.stats().admissionProbes()).isEqualTo(9 + 50);
    assertThat(node.membership.stats().admissionsFailed()).isEqualTo(50);
    assertThat(node.membership.pendingAdmissions()).isZero();
  }

  @Test
  void aNewcomerIsAdmittedAtTheIncarnationItStatesItselfNotTheOneClaimedForIt() {
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(3);
    node.incarnations.put(peer(20), 5_000L);

    node.receive(2, new Gossip(List.of(
        new Update(Kind.ALIVE, peer(20), address(20), node.time.currentTimeMillis() + 3_600_000, peer(20)))));
    assertThat(node.membership.member(peer(20))).isNull(); // not before it answered
    node.time.advance(1);

    assertThat(node.stateOf(20)).isEqualTo(MemberState.ALIVE);
    assertThat(node.membership.member(peer(20)).incarnation()).isEqualTo(5_000L);
    assertThat(node.membership.stats().admitted()).isEqualTo(4);
  }

  @Test
  void theAdmissionProbeCarriesNoClusterState() {
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(9);
    node.suspicion(2, peer(1), START_INCARNATION); // something to piggyback

    node.receive(2, new Gossip(fakes(100, 1, node)));

    Ping probe = node.sentOf(Ping.class).stream().filter(p -> p.target().equals(peer(100))).findFirst().orElseThrow();
    assertThat(probe.updates()).isEmpty();
  }

  @Test
  void admissionsAreRateLimitedAfterABurstOfOnePendingTable() {
    MembershipLimits limits = new MembershipLimits(100_000, 300, 200, 1_000, 1_024);
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults(), limits).withPeers(3);
    node.time.advance(10_000); // a full bucket: 300

    node.receive(2, new Gossip(fakes(100, 300, node)));
    node.time.advance(1_000); // they time out; one second refills 200
    node.receive(2, new Gossip(fakes(400, 1_000, node)));

    assertThat(node.membership.stats().admissionProbes()).isEqualTo(3 + 300 + 200);
    // Of the 800 over the rate, a pending table's worth waits for its turn; the rest is dropped.
    assertThat(node.membership.stats().admissionsDeferred()).isEqualTo(300);
    assertThat(node.membership.stats().admissionsRateLimited()).isEqualTo(500);

    node.time.advance(5_000); // the deferred claims go out, within the rate and the table
    assertThat(node.membership.stats().admissionProbes()).isEqualTo(3 + 300 + 200 + 300);
    assertThat(node.membership.tableSize()).as("no fake admitted").isEqualTo(3);
  }

  @Test
  void aClaimThatFoundThePendingTableFullIsProbedWhenRoomComesBack() {
    MembershipLimits limits = new MembershipLimits(100_000, 10, 10, 1_000, 1_024);
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults(), limits).withPeers(3);
    node.time.advance(10_000);
    node.receive(2, new Gossip(fakes(100, 10, node))); // ten that never answer fill the pending table
    Update real = new Update(Update.Kind.ALIVE, peer(50), MembershipHarness.address(50),
        MembershipHarness.START_INCARNATION, peer(50));
    node.receive(2, new Gossip(List.of(real))); // no room: deferred
    assertThat(node.membership.stats().admissionsDeferred()).isEqualTo(1);
    node.receive(50, new Ping(3, MembershipHarness.SELF, real, List.of())); // its own ping: waits already
    assertThat(node.membership.stats().admissionsDeferred()).isEqualTo(1);
    long probes = node.membership.stats().admissionProbes();

    node.time.advance(2_000); // the fakes' probes expire; the real one's turn comes

    assertThat(node.membership.member(peer(50)).state()).isEqualTo(MemberState.ALIVE);
    assertThat(node.membership.stats().admissionProbes()).isEqualTo(probes + 1);
  }

  @Test
  void thePendingTableIsBounded() {
    MembershipLimits limits = new MembershipLimits(1_000, 10, 1_000, 1_000, 1_024);
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults(), limits).withPeers(3);

    node.receive(2, new Gossip(fakes(100, 60, node)));

    assertThat(node.membership.pendingAdmissions()).isEqualTo(10);
    assertThat(node.membership.stats().admissionsDeferred()).isEqualTo(10); // as many again wait
    assertThat(node.membership.stats().pendingFull()).isEqualTo(40);
  }

  @Test
  void theMemberTableIsBoundedAndCountsWhatItTurnsAway() {
    MembershipLimits limits = new MembershipLimits(20, 1_000, 1_000, 1_000, 1_024);
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults(), limits).withPeers(30);

    assertThat(node.membership.tableSize()).isEqualTo(20);
    assertThat(node.membership.liveCount()).isEqualTo(21);
    // Each of the 10 turned away counts when admitted and again for the alive update in its ack.
    assertThat(node.membership.stats().tableFull()).isEqualTo(20);
  }

  @Test
  void aForgedAliveCannotResurrectACrashedMember() {
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(9);
    node.receive(2, new Gossip(List.of(new Update(Kind.DEAD, peer(1), null, START_INCARNATION, peer(2)))));
    node.silent.add(address(1)); // it really crashed

    node.receive(3, new Gossip(List.of(new Update(Kind.ALIVE, peer(1), address(1), START_INCARNATION + 1, peer(1)))));
    node.time.advance(3_000);

    assertThat(node.stateOf(1)).isEqualTo(MemberState.DEAD);
  }

  @Test
  void aMemberWronglyDeclaredDeadComesBackOnceItRefutes() {
    MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(9);
    node.receive(2, new Gossip(List.of(new Update(Kind.DEAD, peer(1), null, START_INCARNATION, peer(2)))));

    node.incarnations.put(peer(1), START_INCARNATION + 1);
    node.receive(1, new Gossip(List.of(new Update(Kind.ALIVE, peer(1), address(1), START_INCARNATION + 1, peer(1)))));
    node.time.advance(2);

    assertThat(node.stateOf(1)).isEqualTo(MemberState.ALIVE);
    assertThat(node.membership.member(peer(1)).incarnation()).isEqualTo(START_INCARNATION + 1);
  }
}
