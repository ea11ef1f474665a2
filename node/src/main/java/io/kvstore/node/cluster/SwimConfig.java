package io.kvstore.node.cluster;

/**
 * Timing and sizing of the SWIM membership protocol with Lifeguard. Defaults follow HashiCorp
 * memberlist's LAN profile where it does well (probe 1 s, gossip 200 ms to 3, k = 3 indirect
 * probes) and differ where simulation showed a need: suspicion multiplier 2 instead of 4 for
 * faster detection (at N = 1,000 the minimum suspicion timeout is 2 · log10(1000) · 1 s = 6 s),
 * and λ = 8 retransmissions instead of 4, without which refutations missed some nodes at 10%
 * loss and those nodes then declared healthy members dead.
 * docs/CLUSTER.md documents every field.
 *
 * @param probeIntervalMillis time between probes of one member (scaled by local health)
 * @param probeTimeoutMillis wait for a direct ack before probing indirectly (scaled likewise)
 * @param indirectProbes k: members asked to probe on our behalf
 * @param gossipIntervalMillis time between gossip rounds
 * @param gossipFanout members gossiped to per round
 * @param retransmitMult λ: each update is sent λ·⌈log10(N+1)⌉ times
 * @param suspicionMult α: minimum suspicion timeout = α · max(1, log10 N) · probe interval
 * @param suspicionMaxMult β: maximum suspicion timeout = β · minimum (shrinks as others confirm)
 * @param maxLocalHealth Lifeguard's local health multiplier saturates here
 * @param pushPullIntervalMillis full-state exchange with a random member, per 32 members
 * @param deadRetentionMillis how long dead and left members are remembered, then forgotten
 * @param gossipToTheDeadMillis dead members still receive gossip this long (to learn and refute)
 * @param joinRetryMaxMillis ceiling of the join back-off
 * @param maxDatagramBytes payload budget of probe and gossip messages
 */
public record SwimConfig(
    long probeIntervalMillis,
    long probeTimeoutMillis,
    int indirectProbes,
    long gossipIntervalMillis,
    int gossipFanout,
    int retransmitMult,
    double suspicionMult,
    double suspicionMaxMult,
    int maxLocalHealth,
    long pushPullIntervalMillis,
    long deadRetentionMillis,
    long gossipToTheDeadMillis,
    long joinRetryMaxMillis,
    int maxDatagramBytes) {

  public static SwimConfig defaults() {
    return new SwimConfig(1000, 500, 3, 200, 3, 8, 2.0, 4.0, 8, 30_000, 60_000, 30_000, 10_000, 1400);
  }

  /** A profile for tests on loopback: everything five times faster. */
  public static SwimConfig fast() {
    return new SwimConfig(200, 100, 3, 40, 3, 4, 2.0, 4.0, 8, 6_000, 30_000, 6_000, 2_000, 1400);
  }

  public SwimConfig {
    requirePositive("probe-interval", probeIntervalMillis);
    requirePositive("probe-timeout", probeTimeoutMillis);
    if (probeTimeoutMillis >= probeIntervalMillis) {
      throw new IllegalArgumentException(
          "probe-timeout (" + probeTimeoutMillis + " ms) must be shorter than probe-interval ("
              + probeIntervalMillis + " ms)");
    }
    requirePositive("indirect-probes", indirectProbes);
    requirePositive("gossip-interval", gossipIntervalMillis);
    requirePositive("gossip-fanout", gossipFanout);
    requirePositive("retransmit-mult", retransmitMult);
    if (!(suspicionMult > 0) || !(suspicionMaxMult >= 1)) {
      throw new IllegalArgumentException("suspicion-mult must be > 0 and suspicion-max-mult >= 1");
    }
    requirePositive("max-local-health", maxLocalHealth);
    requirePositive("push-pull-interval", pushPullIntervalMillis);
    requirePositive("dead-retention", deadRetentionMillis);
    requirePositive("join-retry-max", joinRetryMaxMillis);
    if (maxDatagramBytes < 512 || maxDatagramBytes > 60_000) {
      throw new IllegalArgumentException("max-datagram must be 512-60000 bytes");
    }
  }

  private static void requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /** Minimum suspicion timeout for a cluster of {@code n} live members. */
  public long suspicionMinMillis(int n) {
    return Math.round(suspicionMult * Math.max(1.0, Math.log10(Math.max(1, n))) * probeIntervalMillis);
  }

  /** How often each update is retransmitted in a cluster of {@code n} members. */
  public int retransmitLimit(int n) {
    return retransmitMult * (int) Math.ceil(Math.log10(n + 1));
  }

  /**
   * Push-pull interval grows with the cluster so that the bytes each node sends per second stay
   * flat: a full state is O(N), so it is exchanged O(1/N) as often.
   */
  public long pushPullIntervalMillis(int n) {
    return pushPullIntervalMillis * Math.max(1, (long) Math.ceil(n / 32.0));
  }
}
