package io.kvstore.simulator;

import java.util.Set;
import java.util.SplittableRandom;

/**
 * Random faults on a {@link KvCluster} while it runs: one node at a time is crashed (and
 * restarted), cut off from everyone else by a partition, or paused (everything it does runs late);
 * independently the network's loss (up to {@code maxLoss}), duplication and jitter (which
 * reorders) change every couple of seconds. At most one node is impaired at any moment, and a
 * node gets a moment to rejoin before the next one is, so at most one replica of any range is
 * unavailable. {@link #heal} ends every fault. All choices come from the simulation's seed.
 */
final class NodeFaults {
  private static final long STREAM = -11;

  enum Kind { CRASH, ISOLATE, PAUSE }

  private final KvCluster cluster;
  private final SplittableRandom random;
  private final double maxLoss;
  private final long[] counts = new long[Kind.values().length];
  private final StringBuilder timeline = new StringBuilder();
  private long networkChanges;
  private boolean running;
  private Runnable endCurrent;

  NodeFaults(KvCluster cluster, double maxLoss) {
    this.cluster = cluster;
    this.random = cluster.sim().random(STREAM);
    this.maxLoss = maxLoss;
  }

  void start() {
    running = true;
    cluster.sim().after(between(500, 2_000), this::nextNodeFault);
    changeNetwork();
  }

  /** No new faults; the current one ends now, and the network is clean again. */
  void heal() {
    running = false;
    if (endCurrent != null) {
      endCurrent.run();
      endCurrent = null;
    }
    cluster.network().setLoss(0).setDuplication(0).setLatency(1, 2).heal();
  }

  private long between(long min, long max) {
    return min + random.nextLong(max - min + 1);
  }

  private void changeNetwork() {
    if (!running) {
      return;
    }
    networkChanges++;
    cluster.network().setLoss(random.nextDouble() * maxLoss).setDuplication(random.nextDouble() * 0.1)
        .setLatency(1, random.nextLong(11));
    cluster.sim().after(between(1_000, 3_000), this::changeNetwork);
  }

  private void nextNodeFault() {
    if (!running) {
      return;
    }
    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
    KvNode node = cluster.node(random.nextInt(cluster.nodes().size()));
    counts[kind.ordinal()]++;
    log(kind + " " + node.id());
    switch (kind) {
      case CRASH -> {
        node.crash();
        endCurrent = () -> cluster.restart(node);
      }
      case ISOLATE -> {
        cluster.network().partition(Set.of(node));
        endCurrent = () -> cluster.network().heal();
      }
      case PAUSE -> {
        node.setSlowness(between(200, 1_500));
        endCurrent = () -> node.setSlowness(0);
      }
    }
    cluster.sim().after(between(500, 3_000), () -> {
      if (endCurrent != null && running) {
        endCurrent.run();
        endCurrent = null;
        log("end of " + kind + " " + node.id());
        cluster.sim().after(between(500, 2_000), this::nextNodeFault); // it rejoins first
      }
    });
  }

  private void log(String event) {
    if (timeline.length() < 8_192) { // bounded: a run has tens of faults
      timeline.append(String.format("  %8d ms %s%n", cluster.sim().elapsedMillis(), event));
    }
  }

  /** When each node fault began and ended, for a failure message. */
  String timeline() {
    return timeline.toString();
  }

  long count(Kind kind) {
    return counts[kind.ordinal()];
  }

  long nodeFaults() {
    long sum = 0;
    for (long c : counts) {
      sum += c;
    }
    return sum;
  }

  long networkChanges() {
    return networkChanges;
  }

  @Override
  public String toString() {
    return String.format("%d crashes, %d isolations, %d pauses, %d network changes (loss up to %.0f%%)",
        count(Kind.CRASH), count(Kind.ISOLATE), count(Kind.PAUSE), networkChanges, maxLoss * 100);
  }
}
