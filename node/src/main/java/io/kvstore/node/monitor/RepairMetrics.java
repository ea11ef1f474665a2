package io.kvstore.node.monitor;

import io.kvstore.node.replication.AntiEntropyStats;
import java.util.List;

/** Anti-entropy's statistics as self-describing stats (status reports, /metrics, dashboard). */
public final class RepairMetrics {
  private RepairMetrics() {}

  public static List<Stat> of(AntiEntropyStats s) {
    return List.of(
        Stat.counter("repair.rounds", "rounds", s.rounds.sum()),
        Stat.counter("repair.rounds.equal", "rounds", s.roundsEqual.sum()),
        Stat.counter("repair.rounds.repaired", "rounds", s.roundsRepaired.sum()),
        Stat.counter("repair.rounds.aborted", "rounds", s.roundsAborted.sum()),
        Stat.counter("repair.leaves.differing", "leaves", s.leavesDiffering.sum()),
        Stat.counter("repair.records.pushed", "records", s.recordsPushed.sum()),
        Stat.counter("repair.records.applied", "records", s.recordsApplied.sum()),
        Stat.counter("repair.records.pulled", "records", s.recordsPulled.sum()),
        Stat.counter("repair.bytes.sent", "bytes", s.bytesSent.sum()),
        Stat.counter("repair.bytes.scanned", "bytes", s.bytesScanned.sum()),
        Stat.counter("repair.busy", "sessions", s.busy.sum()),
        Stat.counter("repair.malformed", "frames", s.malformed.sum()));
  }
}
