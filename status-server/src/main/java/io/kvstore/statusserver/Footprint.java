package io.kvstore.statusserver;

import io.kvstore.node.monitor.Stat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Conservative estimates of the heap the view keeps (64-bit JVM, compressed references), so the
 * view can stay within a byte budget: counted as it grows, not measured after the fact.
 * ClusterViewTest measures the real heap against these estimates.
 */
final class Footprint {
  private static final int STRING = 24 + 16; // String object and its array header
  private static final int STAT = 40;
  private static final int REFERENCE = 4;
  private static final int MAP_ENTRY = 48;
  private static final int ADDRESS = 96; // InetSocketAddress with its holder and InetAddress

  private Footprint() {}

  /** A tracked node without any report: its entry, id, address, state changes and history ring. */
  static long node(String id, int historyPoints, int sparklines) {
    long changes = TrackedNode.MAX_CHANGES * (24L + 24 + REFERENCE) + 64;
    long history = 16 + 8L * historyPoints + 16 + (long) sparklines * (16 + 4L * historyPoints + REFERENCE);
    return 160 + MAP_ENTRY + string(id) + ADDRESS + changes + history;
  }

  /** The stats and labels of a report; strings the pool shares cost nothing per node. */
  static long report(Map<String, String> labels, List<Stat> stats, Predicate<String> shared) {
    long bytes = 16 + 16 + (long) REFERENCE * stats.size() + ADDRESS + 64;
    for (Stat s : stats) {
      bytes += STAT + unshared(s.name(), shared) + unshared(s.unit(), shared) + unshared(s.text(), shared);
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      bytes += MAP_ENTRY + unshared(e.getKey(), shared) + unshared(e.getValue(), shared);
    }
    return bytes;
  }

  /** The most the string pool can hold: {@code capacity} strings of {@code maxBytes} each. */
  static long pool(int capacity, int maxBytes) {
    return (long) capacity * (MAP_ENTRY + STRING + 2L * maxBytes);
  }

  private static long unshared(String s, Predicate<String> shared) {
    return s == null || shared.test(s) ? 0 : string(s);
  }

  /** Two bytes per char: a string with one non-Latin-1 char is stored as UTF-16. */
  private static long string(String s) {
    return STRING + ((2L * s.length() + 7) & ~7L);
  }
}
