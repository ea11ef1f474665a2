package io.kvstore.statusserver;

import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusReport;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * What the status server keeps of one report at most. A node's real report has ~90 stats with
 * names under 32 bytes, and up to ~120 more for its last 16 operations (OpsResultMetrics); these limits
 * leave room for that (256 is also what the codec carries) while bounding what a buggy or hostile
 * sender holding the secret can make the server keep per node. Output tails of operations
 * ({@code ops.<id8>.tail}) may hold up to {@link #OPS_TAIL_BYTES}.
 *
 * @param maxStats stats per report
 * @param maxNameBytes UTF-8 bytes of a stat name, a unit or a label key
 * @param maxTextBytes UTF-8 bytes of a text stat or a label value
 * @param maxLabels labels per report
 */
public record ReportLimits(int maxStats, int maxNameBytes, int maxTextBytes, int maxLabels) {
  public static final ReportLimits DEFAULTS = new ReportLimits(256, 64, 256, 16);
  /** UTF-8 bytes an operation's output tail may hold (1,000 characters, as the codec's strings). */
  public static final int OPS_TAIL_BYTES = 1024;

  public ReportLimits {
    if (maxStats <= 0 || maxNameBytes <= 0 || maxTextBytes <= 0 || maxLabels < 0) {
      throw new IllegalArgumentException("report limits must be positive");
    }
  }

  /** Why the report exceeds a limit, or empty if it does not. */
  public Optional<String> violation(StatusReport report) {
    if (report.stats().size() > maxStats) {
      return Optional.of(report.stats().size() + " stats (at most " + maxStats + ")");
    }
    if (report.labels().size() > maxLabels) {
      return Optional.of(report.labels().size() + " labels (at most " + maxLabels + ")");
    }
    for (Map.Entry<String, String> label : report.labels().entrySet()) {
      if (bytes(label.getKey()) > maxNameBytes || bytes(label.getValue()) > maxTextBytes) {
        return Optional.of("a label longer than allowed");
      }
    }
    for (Stat stat : report.stats()) {
      if (bytes(stat.name()) > maxNameBytes || bytes(stat.unit()) > maxNameBytes) {
        return Optional.of("a stat name or unit longer than " + maxNameBytes + " bytes");
      }
      int maxText = isOpsTail(stat.name()) ? Math.max(maxTextBytes, OPS_TAIL_BYTES) : maxTextBytes;
      if (stat.text() != null && bytes(stat.text()) > maxText) {
        return Optional.of("a text stat longer than " + maxTextBytes + " bytes");
      }
    }
    return Optional.empty();
  }

  private static boolean isOpsTail(String name) {
    return name.length() == 17 && name.startsWith("ops.") && name.endsWith(".tail");
  }

  private static int bytes(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
