package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusGossip;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.statusserver.CollectionRounds;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Status collection at 1,000 nodes with the real node-side {@link StatusGossip} and the real
 * server-side {@link CollectionRounds}, over a seeded network with loss and jitter: every live
 * node's report reaches the server in every round, and the server's peak intake per second stays
 * within 1.5× of N / spread window. (Membership is taken as converged here: the membership
 * protocol has its own simulations.)
 */
class StatusRoundSimulationTest {
  private static final int NODES = 1_000;
  private static final int ROUNDS = 6;
  private static final long INTERVAL_MILLIS = 10_000;
  private static final int WINDOW_MILLIS = 5_000;
  private static final int FANOUT = 2;
  private static final double LOSS = 0.01;

  @SeededTest
  void everyReportArrivesEveryRoundAndIntakeStaysSmooth(long seed) {
    run(seed);
  }

  private static InetSocketAddress address(int i) {
    return new InetSocketAddress("127.1." + (i >> 8) + "." + (i & 0xFF), 4000);
  }

  private void run(long seed) {
    Simulation sim = new Simulation(seed);
    SplittableRandom faults = sim.random(-1);
    InetSocketAddress monitorAddress = new InetSocketAddress("127.0.0.2", 9000);
    Map<InetSocketAddress, StatusGossip> nodes = new HashMap<>();
    Map<Long, Set<String>> reportsByRound = new HashMap<>();
    Map<Long, Integer> intakePerSecond = new HashMap<>();
    CollectionRounds[] server = new CollectionRounds[1];
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      addresses.add(address(i));
    }

    // Datagrams: 1-5 ms latency, 1% loss, delivered to a node's StatusGossip or to the server.
    java.util.function.BiFunction<InetSocketAddress, Boolean, Network> networkOf =
        (from, lossy) -> (to, datagram) -> {
          if (lossy && faults.nextDouble() < LOSS) {
            return;
          }
          sim.after(1 + faults.nextLong(5), () -> deliver(to, datagram, nodes, monitorAddress, sim,
              reportsByRound, intakePerSecond, server[0]));
        };
    Scheduler scheduler = (delay, task) -> sim.after(delay, task);
    for (int i = 0; i < NODES; i++) {
      InetSocketAddress self = addresses.get(i);
      SplittableRandom random = sim.random(i);
      String id = "node-" + i;
      nodes.put(
          self,
          new StatusGossip(
              networkOf.apply(self, true),
              scheduler,
              sim.clock(),
              random,
              k -> sample(addresses, self, k, random),
              round -> new StatusReport(id, self, round, sim.clock().currentTimeMillis(), Map.of(),
                  List.of(Stat.gauge("keys", "keys", 1)))));
    }
    server[0] =
        new CollectionRounds(monitorAddress, networkOf.apply(monitorAddress, true), scheduler,
            sim.random(NODES), WINDOW_MILLIS, FANOUT);
    Map<String, InetSocketAddress> alive = new LinkedHashMap<>();
    for (int i = 0; i < NODES; i++) {
      alive.put("node-" + i, addresses.get(i));
    }
    List<Long> rounds = new ArrayList<>();
    for (int r = 0; r < ROUNDS; r++) {
      sim.after(r * INTERVAL_MILLIS, () -> rounds.add(server[0].start(alive)));
    }
    sim.runFor(Duration.ofMillis(ROUNDS * INTERVAL_MILLIS));

    assertThat(rounds).hasSize(ROUNDS);
    for (long round : rounds) {
      assertThat(reportsByRound.getOrDefault(round, Set.of()))
          .as("reports in round %d", round)
          .hasSize(NODES);
    }
    double fair = NODES / (WINDOW_MILLIS / 1000.0);
    int peak = intakePerSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    System.out.printf(
        "seed %d: %d rounds of %d nodes, all reports in; peak intake %d/s vs N/window %.0f/s"
            + " (%.2fx); %d stragglers asked directly%n",
        seed, ROUNDS, NODES, peak, fair, peak / fair, server[0].repairs());
    assertThat(peak).as("peak reports per second").isLessThanOrEqualTo((int) (1.5 * fair));
  }

  private static void deliver(
      InetSocketAddress to, byte[] datagram, Map<InetSocketAddress, StatusGossip> nodes,
      InetSocketAddress monitor, Simulation sim, Map<Long, Set<String>> reportsByRound,
      Map<Long, Integer> intakePerSecond, CollectionRounds server) {
    ByteBuffer body = ByteBuffer.wrap(datagram, InternalFrame.HEADER, datagram.length - InternalFrame.HEADER);
    if (to.equals(monitor)) {
      StatusReport report = StatusCodec.decodeReport(body);
      reportsByRound.computeIfAbsent(report.round(), r -> new HashSet<>()).add(report.nodeId());
      intakePerSecond.merge(sim.elapsedMillis() / 1000, 1, Integer::sum);
      server.onReport(report.round(), report.nodeId(), report.address());
    } else {
      nodes.get(to).onRound(StatusCodec.decodeRound(body));
    }
  }

  private static List<InetSocketAddress> sample(
      List<InetSocketAddress> all, InetSocketAddress self, int k, SplittableRandom random) {
    List<InetSocketAddress> out = new ArrayList<>(k);
    while (out.size() < k) {
      InetSocketAddress a = all.get(random.nextInt(all.size()));
      if (!a.equals(self) && !out.contains(a)) {
        out.add(a);
      }
    }
    return out;
  }
}
