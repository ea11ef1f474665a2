package io.kvstore.node.monitor;

import io.kvstore.node.replication.HintStore;
import io.kvstore.node.replication.ReplicationStats;
import java.util.List;

/** Replication's statistics as self-describing stats (status reports, /metrics, dashboard). */
public final class ReplicationMetrics {
  private ReplicationMetrics() {}

  public static List<Stat> of(ReplicationStats s, HintStore hints) {
    return List.of(
        Stat.counter("replication.writes", "requests", s.writes.sum()),
        Stat.counter("replication.reads", "requests", s.reads.sum()),
        Stat.counter("replication.write.timeouts", "requests", s.writeTimeouts.sum()),
        Stat.counter("replication.read.timeouts", "requests", s.readTimeouts.sum()),
        Stat.counter("replication.stale.retries", "writes", s.staleRetries.sum()),
        Stat.counter("replication.refused", "requests", s.refused.sum() + s.refusedWhileJoining.sum()),
        Stat.counter("replication.replica.writes", "writes", s.replicaWrites.sum()),
        Stat.counter("replication.replica.reads", "reads", s.replicaReads.sum()),
        Stat.counter("replication.replica.failures", "operations", s.replicaFailures.sum()),
        Stat.counter("replication.replica.future", "writes", s.replicaFromTheFuture.sum()),
        Stat.counter("replication.repairs.sent", "writes", s.repairsSent.sum()),
        Stat.counter("replication.repairs.skipped", "writes", s.repairsSkipped.sum()),
        Stat.counter("replication.hints.stored", "hints", s.hintsStored.sum()),
        Stat.counter("replication.hints.delivered", "hints", s.hintsDelivered.sum()),
        Stat.counter("replication.hints.dropped", "hints", s.hintsDropped.sum()),
        Stat.gauge("replication.hints.pending", "hints", hints.count()),
        Stat.gauge("replication.hints.bytes", "bytes", hints.bytes()),
        Stat.counter("replication.malformed", "frames", s.malformed.sum()));
  }
}
