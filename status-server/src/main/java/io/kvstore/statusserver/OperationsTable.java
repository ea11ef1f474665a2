package io.kvstore.statusserver;

import io.kvstore.node.monitor.Stat;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Operations and their per-node results, gathered from the {@code ops.<id8>.*} stats of status
 * reports (io.kvstore.node.monitor.OpsResultMetrics). Kept beyond a node's own last 16, and a tail a
 * later report left out (reports carry few tails) stays. Bounded: at most {@link #MAX_OPERATIONS}
 * operations, and its estimated bytes count against the view's memory budget: beyond either the
 * operation first seen longest ago is forgotten (counted). Not thread-safe: {@link ClusterView}
 * guards it.
 */
final class OperationsTable {
  static final int MAX_OPERATIONS = 64;
  private static final Pattern OP_STAT = Pattern.compile("ops\\.([0-9a-f]{8})\\.([a-z]+)");
  private static final int TAIL_CHARS = 1_000;
  private static final int TARGETS_CHARS = 200;

  /** One node's latest result of one operation. */
  record NodeResult(String state, int exit, long durationMillis, long truncatedBytes, String tail,
      long updatedAtMillis) {}

  /** One operation: what the first report said of it, and each node's result. */
  static final class Operation {
    final String id;
    final long firstSeenMillis;
    String kind = "";
    String targets = "";
    final TreeMap<String, NodeResult> byNode = new TreeMap<>();
    long bytes;

    Operation(String id, long firstSeenMillis) {
      this.id = id;
      this.firstSeenMillis = firstSeenMillis;
    }
  }

  private final LinkedHashMap<String, Operation> operations = new LinkedHashMap<>();
  private long bytes;
  private long forgotten;

  /** Estimated heap kept. */
  long bytes() {
    return bytes;
  }

  /** Operations forgotten to stay within the bounds. */
  long forgotten() {
    return forgotten;
  }

  /**
   * Takes {@code node}'s operation stats from a report; then forgets the oldest operations until
   * at most {@code allowedBytes} are kept (an operation of this very report too, if it must).
   */
  void apply(String node, List<Stat> stats, long nowMillis, long allowedBytes) {
    Map<String, Map<String, Stat>> byOp = new LinkedHashMap<>();
    for (Stat stat : stats) {
      if (!stat.name().startsWith("ops.")) {
        continue;
      }
      Matcher m = OP_STAT.matcher(stat.name());
      if (m.matches()) {
        byOp.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(m.group(2), stat);
      }
    }
    for (Map.Entry<String, Map<String, Stat>> e : byOp.entrySet()) {
      Map<String, Stat> fields = e.getValue();
      String state = text(fields.get("state"), 32);
      if (state.isEmpty()) {
        continue; // a result without a state says nothing
      }
      Operation op = operations.get(e.getKey());
      if (op == null) {
        op = new Operation(e.getKey(), nowMillis);
        operations.put(op.id, op);
      }
      String kind = text(fields.get("kind"), 16);
      String targets = text(fields.get("targets"), TARGETS_CHARS);
      if (!kind.isEmpty()) {
        op.kind = kind;
      }
      if (!targets.isEmpty()) {
        op.targets = targets;
      }
      NodeResult before = op.byNode.get(node);
      Stat tailStat = fields.get("tail");
      String tail = tailStat != null ? text(tailStat, TAIL_CHARS) : before != null ? before.tail() : "";
      op.byNode.put(node, new NodeResult(state, (int) number(fields.get("exit")),
          (long) number(fields.get("duration")), (long) number(fields.get("truncated")), tail, nowMillis));
      recount(op);
    }
    Iterator<Operation> oldest = operations.values().iterator();
    while ((operations.size() > MAX_OPERATIONS || bytes > allowedBytes) && oldest.hasNext()) {
      Operation gone = oldest.next();
      oldest.remove();
      bytes -= gone.bytes;
      forgotten++;
    }
  }

  /** Every operation, first seen first. */
  List<Operation> all() {
    return new ArrayList<>(operations.values());
  }

  /** The operation whose id starts with {@code idOrPrefix}'s first 8 hex digits. */
  Optional<Operation> find(String idOrPrefix) {
    if (idOrPrefix.length() < 8) {
      return Optional.empty();
    }
    return Optional.ofNullable(operations.get(idOrPrefix.substring(0, 8).toLowerCase(java.util.Locale.ROOT)));
  }

  private void recount(Operation op) {
    long size = 160 + chars(op.id) + chars(op.kind) + chars(op.targets);
    for (Map.Entry<String, NodeResult> e : op.byNode.entrySet()) {
      NodeResult r = e.getValue();
      size += 48 + 64 + chars(r.state()) + chars(r.tail()); // node ids are the view's own strings
    }
    bytes += size - op.bytes;
    op.bytes = size;
  }

  private static long chars(String s) {
    return 40 + ((2L * s.length() + 7) & ~7L);
  }

  private static String text(Stat stat, int maxChars) {
    if (stat == null || stat.kind() != Stat.Kind.TEXT || stat.text() == null) {
      return "";
    }
    String t = stat.text();
    return t.length() <= maxChars ? t : t.substring(t.length() - maxChars);
  }

  private static double number(Stat stat) {
    return stat == null || stat.kind() == Stat.Kind.TEXT || !Double.isFinite(stat.value()) ? -1 : stat.value();
  }
}
