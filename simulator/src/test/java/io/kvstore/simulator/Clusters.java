package io.kvstore.simulator;

import io.kvstore.node.cluster.SwimConfig;
import java.time.Duration;

/** Clusters the simulation tests start from. */
final class Clusters {
  /**
   * How long 50 nodes started together through one seed may take to know each other. Gossip
   * alone completes every view within about a second in most runs, but each update is sent only
   * λ·log N times, so now and then one pair misses it; the first push-pull exchange (30-60 s
   * after start with the default config) then completes the views.
   */
  static final Duration JOIN_BOUND = Duration.ofSeconds(60);

  private Clusters() {}

  /** {@code size} nodes that joined through node 0, with every view complete. */
  static SimCluster joined(long seed, int size) {
    return SimCluster.formed(seed, size, SwimConfig.defaults(), JOIN_BOUND);
  }
}
