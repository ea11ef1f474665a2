package io.kvstore.node.monitor;

import io.kvstore.node.ops.run.OperationResult;
import io.kvstore.node.ops.run.RecentResults;
import io.kvstore.node.ops.run.RunnerStats;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Operation results as self-describing stats, so they reach the status server in the ordinary
 * status reports: per operation (named by the first 8 hex digits of its id) {@code
 * ops.<id8>.state}, {@code .kind}, {@code .targets} (text), {@code .exit}, {@code .duration}
 * (ms), {@code .truncated} (output bytes not kept), and {@code .tail} (text, at most {@link
 * #TAIL_CHARS} characters). A report holds at most 16 KiB, so the compact stats of every held
 * operation come first and the tails last, newest first, within {@link #TAIL_BUDGET_BYTES}: a
 * tail that does not fit is left out, never the report or another operation's state.
 */
public final class OpsResultMetrics {
  /** Characters of output tail per operation in a report. */
  public static final int TAIL_CHARS = 1_000;
  /** UTF-8 bytes of tails per report, all operations together. */
  public static final int TAIL_BUDGET_BYTES = 4_000;

  private OpsResultMetrics() {}

  /** The stats of a node's script runner. */
  public static List<Stat> of(io.kvstore.node.ops.run.BashScriptRunner runner) {
    return of(runner.results(), runner.stats(), runner::runningCount, runner::queuedCount);
  }

  /**
   * @param running scripts running now
   * @param queued scripts waiting for a slot
   */
  public static List<Stat> of(RecentResults results, RunnerStats s, IntSupplier running, IntSupplier queued) {
    List<Stat> stats = new ArrayList<>(12 + 7 * RecentResults.CAPACITY);
    stats.add(Stat.gauge("ops.running", "scripts", running.getAsInt()));
    stats.add(Stat.gauge("ops.queued", "scripts", queued.getAsInt()));
    stats.add(Stat.counter("ops.runs.started", "scripts", s.started.sum()));
    stats.add(Stat.counter("ops.runs.succeeded", "scripts", s.succeeded.sum()));
    stats.add(Stat.counter("ops.runs.failed", "scripts", s.failed.sum()));
    stats.add(Stat.counter("ops.runs.timed_out", "scripts", s.timedOut.sum()));
    stats.add(Stat.counter("ops.runs.failed_to_start", "scripts", s.failedToStart.sum()));
    stats.add(Stat.counter("ops.refused.busy", "operations", s.refusedBusy.sum()));
    stats.add(Stat.counter("ops.refused.expired_waiting", "operations", s.expiredBeforeStart.sum()));
    stats.add(Stat.counter("ops.output.dropped", "bytes", s.outputDroppedBytes.sum()));
    List<OperationResult> held = results.snapshot();
    for (OperationResult r : held) {
      String p = "ops." + r.shortId();
      stats.add(Stat.text(p + ".state", r.state().name()));
      stats.add(Stat.text(p + ".kind", r.kind()));
      stats.add(Stat.text(p + ".targets", clip(r.targets(), 200)));
      stats.add(Stat.gauge(p + ".exit", "", r.exitCode()));
      stats.add(Stat.gauge(p + ".duration", "ms", r.durationMillis()));
      stats.add(Stat.gauge(p + ".truncated", "bytes", r.truncatedBytes()));
    }
    int budget = TAIL_BUDGET_BYTES;
    for (int i = held.size() - 1; i >= 0; i--) {
      OperationResult r = held.get(i);
      if (r.outputTail().isEmpty()) {
        continue;
      }
      String tail = lastChars(r.outputTail(), TAIL_CHARS);
      int bytes = tail.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > budget) {
        continue;
      }
      budget -= bytes;
      stats.add(Stat.text("ops." + r.shortId() + ".tail", tail));
    }
    return stats;
  }

  private static String clip(String text, int maxChars) {
    return text.length() <= maxChars ? text : text.substring(0, maxChars);
  }

  /** The last {@code maxChars} characters, never half a surrogate pair. */
  static String lastChars(String text, int maxChars) {
    if (text.length() <= maxChars) {
      return text;
    }
    int from = text.length() - maxChars;
    if (Character.isLowSurrogate(text.charAt(from))) {
      from++;
    }
    return text.substring(from);
  }
}
