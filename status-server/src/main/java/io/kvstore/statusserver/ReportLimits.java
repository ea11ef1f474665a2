package io.kvstore.statusserver;

import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusReport;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * What the status server keeps of one report at most. A node's real report has ~30 stats with
 * names under 32 bytes; these limits leave room for growth while bounding what a buggy or hostile
 * sender holding the secret can make the server keep per node.
 *
 * @param maxStats stats per report
 * @param maxNameBytes UTF-8 bytes of a stat name, a unit or a label key
 * @param maxTextBytes UTF-8 bytes of a text stat or a label value
 * @param maxLabels labels per report
 */
public record ReportLimits(int maxStats, int maxNameBytes, int maxTextBytes, int maxLabels) {
  public static final ReportLimits DEFAULTS = new ReportLimits(128, 64, 256, 16);

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
      if (stat.text() != null && bytes(stat.text()) > maxTextBytes) {
        return Optional.of("a text stat longer than " + maxTextBytes + " bytes");
      }
    }
    return Optional.empty();
  }

  private static int bytes(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
