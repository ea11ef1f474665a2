package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusCodec.Round;
import io.kvstore.node.monitor.StatusGossip;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ROUNDs that reach a node's StatusGossip without the cluster secret (a node run --insecure) or
 * from a buggy sender: a flood naming a victim as the "monitor" gets it a bounded trickle of
 * reports, and an absurd fanout or hop count is capped, so the node is no reflector.
 */
class ForgedRoundTest {
  private final Simulation sim = new Simulation(42);
  private final InetSocketAddress victim = new InetSocketAddress("10.9.9.9", 9);
  private final List<InetSocketAddress> members = new ArrayList<>();
  private final Map<InetSocketAddress, Integer> sentTo = new HashMap<>();
  private final List<Round> pushed = new ArrayList<>();
  private final StatusGossip gossip;

  ForgedRoundTest() {
    for (int i = 0; i < 100; i++) {
      members.add(new InetSocketAddress("10.0.0." + (i + 1), 7000));
    }
    gossip =
        new StatusGossip(
            (to, datagram) -> {
              sentTo.merge(to, 1, Integer::sum);
              if ((datagram[InternalFrame.TYPE_OFFSET] & 0xFF) == StatusCodec.ROUND) {
                pushed.add(StatusCodec.decodeRound(
                    ByteBuffer.wrap(datagram, InternalFrame.HEADER, datagram.length - InternalFrame.HEADER)));
              }
            },
            (delay, task) -> sim.after(delay, task),
            sim.clock(),
            sim.random(1),
            n -> members.subList(0, Math.min(n, members.size())),
            round -> new StatusReport("node-1", members.get(0), round, 0, Map.of(),
                List.of(Stat.gauge("keys", "keys", 1))));
  }

  @Test
  void aFloodOfRoundsNamingAVictimGetsItABoundedTrickleOfReports() {
    int forged = 20_000;
    long seconds = 10;
    for (int i = 0; i < forged; i++) {
      long round = i;
      sim.after(i * seconds * 1_000 / forged, () -> gossip.onRound(new Round(round, victim, 0, 0, 0)));
    }
    sim.runFor(Duration.ofSeconds(seconds + 1));

    long allowed = 8 + seconds * 1_000 / 250 + 1; // the burst, then four a second
    assertThat(sentTo.getOrDefault(victim, 0)).isPositive().isLessThanOrEqualTo((int) allowed);
    assertThat(gossip.roundsRefused()).isGreaterThanOrEqualTo(forged - allowed);
  }

  @Test
  void anAbsurdFanoutAndHopCountAreCapped() {
    gossip.onRound(new Round(7, victim, 0, 255, 255));
    sim.runFor(Duration.ofSeconds(1));

    assertThat(pushed).hasSize(2 * 16); // two pushes to at most 16 members
    assertThat(pushed).allSatisfy(r -> {
      assertThat(r.fanout()).isEqualTo(16);
      assertThat(r.hopsLeft()).isEqualTo(15);
    });
    assertThat(sentTo.get(victim)).isEqualTo(1);
  }

  @Test
  void theStatusServersPaceIsNeverRefused() {
    // One round a second with the server's three direct asks: well within the budget.
    for (int r = 0; r < 30; r++) {
      long round = r;
      sim.after(r * 1_000L, () -> gossip.onRound(new Round(round, victim, 200, 2, 16)));
      for (int ask = 1; ask <= 3; ask++) {
        sim.after(r * 1_000L + ask * 200L, () -> gossip.onRound(new Round(round, victim, 100, 0, 0)));
      }
    }
    sim.runFor(Duration.ofSeconds(31));

    assertThat(gossip.roundsRefused()).isZero();
    assertThat(sentTo.get(victim)).isEqualTo(30 * 4);
  }
}
