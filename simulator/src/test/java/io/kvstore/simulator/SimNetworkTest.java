package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulated network does what it claims. Two lone nodes (no seeds, so they send nothing
 * themselves) exchange junk datagrams, which their membership counts as malformed.
 */
class SimNetworkTest {
  private static final byte[] JUNK = new byte[100];

  private SimCluster cluster;
  private SimNetwork network;
  private SimNode a;
  private SimNode b;

  @BeforeEach
  void twoLoneNodes() {
    cluster = new SimCluster(42, SwimConfig.defaults());
    network = cluster.network();
    List<SimNode> nodes = cluster.addNodes(2);
    a = nodes.get(0);
    b = nodes.get(1);
    a.start(List.of());
    b.start(List.of());
  }

  @Test
  void losesAboutTheConfiguredShareAndCountsWhatWasSent() {
    network.setLoss(0.1);

    sendFromAToB(10_000);

    assertThat(delivered()).isBetween(8_800L, 9_200L);
    assertThat(a.traffic().datagrams()).isEqualTo(10_000);
    assertThat(a.traffic().bytes()).isEqualTo(10_000L * JUNK.length);
  }

  @Test
  void duplicatesAboutTheConfiguredShare() {
    network.setDuplication(0.5);

    sendFromAToB(10_000);

    assertThat(delivered()).isBetween(14_700L, 15_300L);
  }

  @Test
  void deliversWithinBasePlusJitter() {
    network.setLatency(10, 5);

    sendFromAToB(1_000);
    cluster.sim().runFor(Duration.ofMillis(9));
    assertThat(b.membership().stats().malformed()).isZero();
    cluster.sim().runFor(Duration.ofMillis(6));
    assertThat(b.membership().stats().malformed()).isEqualTo(1_000);
  }

  @Test
  void aPartitionDropsEverythingAcrossTheCutUntilHealed() {
    network.partition(Set.of(a));
    sendFromAToB(100);
    assertThat(delivered()).isZero();

    network.heal();
    sendFromAToB(100);
    assertThat(delivered()).isEqualTo(100);
  }

  @Test
  void aCrashedNodeReceivesNothingEvenWhatWasInFlight() {
    network.setLatency(10, 0);
    sendFromAToB(100);

    b.crash();
    cluster.sim().runFor(Duration.ofSeconds(1));

    assertThat(delivered()).isZero();
  }

  @Test
  void aSlowNodeHandlesItsDatagramsLate() {
    network.setLatency(1, 0);
    b.setSlowness(400);

    sendFromAToB(1);
    cluster.sim().runFor(Duration.ofMillis(400));
    assertThat(b.membership().stats().malformed()).isZero();
    cluster.sim().runFor(Duration.ofMillis(1));
    assertThat(b.membership().stats().malformed()).isEqualTo(1);
  }

  private void sendFromAToB(int count) {
    for (int i = 0; i < count; i++) {
      network.send(a, b.address(), JUNK);
    }
  }

  /** Runs until everything in flight has landed; returns how many datagrams b got. */
  private long delivered() {
    cluster.sim().runFor(Duration.ofSeconds(1));
    return network.trace().events();
  }
}
