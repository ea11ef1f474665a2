package io.kvstore.simulator;

import io.kvstore.node.cluster.SwimCodec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bytes the nodes of a cluster sent on the simulated network between two moments, per node and
 * per virtual second, in all and by membership message type (payload bytes, as {@link Traffic}).
 */
record TrafficRates(double bytesPerNodeSecond, double datagramsPerNodeSecond, Map<String, Double> bytesByType) {
  private static final Map<Integer, String> TYPE_NAMES = Map.of(
      SwimCodec.PING, "ping", SwimCodec.PING_REQ, "ping-req", SwimCodec.ACK, "ack",
      SwimCodec.NACK, "nack", SwimCodec.GOSSIP, "gossip", SwimCodec.PUSH_PULL, "push-pull");

  /** What every node had sent by one moment of virtual time. */
  record Totals(long virtualMillis, int nodes, long bytes, long datagrams, long[] bytesByType) {
    static Totals of(SimCluster cluster) {
      long bytes = 0;
      long datagrams = 0;
      long[] byType = new long[SwimCodec.TYPES.length];
      for (SimNode node : cluster.nodes()) {
        bytes += node.traffic().bytes();
        datagrams += node.traffic().datagrams();
        for (int t = 0; t < byType.length; t++) {
          byType[t] += node.traffic().bytes(SwimCodec.TYPES[t]);
        }
      }
      return new Totals(cluster.sim().elapsedMillis(), cluster.size(), bytes, datagrams, byType);
    }
  }

  static TrafficRates between(Totals from, Totals to) {
    double nodeSeconds = to.nodes() * Math.max(1, to.virtualMillis() - from.virtualMillis()) / 1000.0;
    Map<String, Double> byType = new LinkedHashMap<>();
    for (int t = 0; t < SwimCodec.TYPES.length; t++) {
      byType.put(TYPE_NAMES.get(SwimCodec.TYPES[t]), (to.bytesByType()[t] - from.bytesByType()[t]) / nodeSeconds);
    }
    return new TrafficRates((to.bytes() - from.bytes()) / nodeSeconds, (to.datagrams() - from.datagrams()) / nodeSeconds,
        byType);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(String.format("%.0f bytes/node/s (%.2f datagrams/node/s; ",
        bytesPerNodeSecond, datagramsPerNodeSecond));
    bytesByType.forEach((type, rate) -> s.append(String.format("%s %.0f, ", type, rate)));
    s.setLength(s.length() - 2);
    return s.append(')').toString();
  }
}
