package io.kvstore.node.monitor;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A node's stats in the Prometheus text exposition format (version 0.0.4): one gauge per numeric
 * stat, named {@code kvstore_<stat>} with dots as underscores, labelled with the node id.
 * Written by hand: a few lines of text do not need a metrics library in the node.
 */
public final class PrometheusText {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Pattern NOT_METRIC_CHAR = Pattern.compile("[^a-zA-Z0-9_]");

  private PrometheusText() {}

  public static String render(String nodeId, Iterable<Stat> stats) {
    String label = "{node=\"" + escapeLabel(nodeId) + "\"}";
    StringBuilder out = new StringBuilder(4096);
    for (Stat s : stats) {
      if (s.kind() == Stat.Kind.TEXT || Double.isNaN(s.value())) {
        continue;
      }
      String name = "kvstore_" + NOT_METRIC_CHAR.matcher(s.name()).replaceAll("_");
      String help = s.unit().isEmpty() ? s.name() : s.name() + " (" + s.unit() + ")";
      out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
      out.append("# TYPE ").append(name).append(" gauge\n");
      out.append(name).append(label).append(' ').append(number(s.value())).append('\n');
    }
    return out.toString();
  }

  private static String number(double v) {
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%s", v);
  }

  private static String escapeLabel(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String escapeHelp(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
