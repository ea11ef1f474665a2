package io.kvstore.node.monitor;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.RebalanceStats;
import java.util.List;

/**
 * Rebalancing and placement as self-describing stats (status reports, /metrics, dashboard,
 * {@code ./kvstore members}): what this node streams and receives when the ring changes, whether it
 * holds every range it replicates, and its share of the key space.
 */
public final class RebalanceMetrics {
  private RebalanceMetrics() {}

  /** {@code ring} as this node sees it; {@code n} the replication factor. */
  public static List<Stat> of(RebalanceStats s, Ring ring, int n) {
    return List.of(
        Stat.gauge("ring.members", "members", ring.memberCount()),
        // The share of keys whose preference list holds this node: the ranges it replicates.
        Stat.gauge("ring.replica.share", "%", Math.round(ring.replicaShare(ring.self(), n) * 1000) / 10.0),
        Stat.counter("rebalance.records.streamed", "records", s.recordsStreamed.sum()),
        Stat.counter("rebalance.bytes.streamed", "bytes", s.bytesStreamed.sum()),
        Stat.counter("rebalance.batches.retransmitted", "batches", s.batchesRetransmitted.sum()),
        Stat.counter("rebalance.batches.abandoned", "batches", s.batchesAbandoned.sum()),
        Stat.gauge("rebalance.batches.pending", "batches", s.batchesPending()),
        Stat.gauge("rebalance.pass.active", "flag", s.passActive() ? 1 : 0),
        Stat.gauge("rebalance.pass.scanned", "records", s.recordsScanned()),
        Stat.counter("rebalance.passes.completed", "passes", s.passesCompleted.sum()),
        Stat.counter("rebalance.passes.restarted", "passes", s.passesRestarted.sum()),
        Stat.counter("rebalance.records.received", "records", s.recordsReceived.sum()),
        Stat.counter("rebalance.records.stale", "records", s.recordsStale.sum()),
        Stat.counter("rebalance.records.refused", "records", s.recordsRefused.sum()),
        Stat.gauge("rebalance.complete", "flag", s.complete() ? 1 : 0),
        Stat.gauge("rebalance.members.awaited", "members", s.membersAwaited()),
        Stat.counter("rebalance.requests.sent", "requests", s.requestsSent.sum()),
        Stat.counter("rebalance.requests.served", "requests", s.requestsServed.sum()),
        Stat.counter("rebalance.malformed", "frames", s.malformed.sum() + s.strangers.sum()));
  }
}
