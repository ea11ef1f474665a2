package io.kvstore.node.monitor;

import io.kvstore.node.ops.OpsCore;
import io.kvstore.node.ops.OpsRefusal;
import io.kvstore.node.ops.OpsStats;
import java.util.ArrayList;
import java.util.List;

/** Fleet operations' statistics as self-describing stats (status reports, /metrics, dashboard). */
public final class OpsMetrics {
  private OpsMetrics() {}

  public static List<Stat> of(OpsCore ops) {
    OpsStats s = ops.stats();
    List<Stat> out = new ArrayList<>();
    out.add(Stat.gauge("ops.held", "operations", ops.seen().size()));
    out.add(Stat.counter("ops.accepted", "operations", s.accepted.sum()));
    out.add(Stat.counter("ops.handed.to.runner", "operations", s.handedToRunner.sum()));
    for (OpsRefusal r : OpsRefusal.values()) {
      out.add(Stat.counter("ops.refused." + r.wireName(), "operations", s.refusedCount(r)));
    }
    out.add(Stat.counter("ops.duplicates", "frames", s.duplicates.sum()));
    out.add(Stat.counter("ops.frames.sent", "frames", s.framesSent()));
    out.add(Stat.counter("ops.bytes.sent", "bytes", s.bytesSent()));
    out.add(Stat.counter("ops.frames.received", "frames",
        s.opFramesReceived.sum() + s.digestFramesReceived.sum() + s.wantFramesReceived.sum()));
    out.add(Stat.counter("ops.from.non.members", "frames", s.fromNonMembers.sum()));
    out.add(Stat.counter("ops.malformed.frames", "frames", s.malformedFrames.sum()));
    out.add(Stat.counter("ops.answers.throttled", "frames", s.answersThrottled.sum()));
    out.add(Stat.counter("ops.verifies.throttled", "frames", s.verifiesThrottled.sum()));
    out.add(Stat.counter("ops.submits.throttled", "requests", s.submitsThrottled.sum()));
    out.add(Stat.counter("ops.submits.source.throttled", "requests", s.submitsThrottledPerSource.sum()));
    out.add(Stat.counter("ops.submits.sources.evicted", "sources", ops.submitSourcesEvicted()));
    out.add(Stat.counter("ops.expired", "operations", s.expired.sum()));
    return out;
  }
}
