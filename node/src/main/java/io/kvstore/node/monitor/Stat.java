package io.kvstore.node.monitor;

/**
 * One self-describing statistic of a node: the status server and dashboard show any stat a node
 * sends, so a new stat needs no change on the server.
 *
 * @param name dotted lower-case name, e.g. {@code requests.get.rate}
 * @param unit what the value counts, e.g. {@code bytes}, {@code ops/s}, {@code us}, {@code %}
 * @param kind how to read it: a gauge (current level), a counter (grows), or text
 * @param value the number (NaN for text)
 * @param text the text for {@link Kind#TEXT} stats, else null
 */
public record Stat(String name, String unit, Kind kind, double value, String text) {
  public enum Kind {
    GAUGE,
    COUNTER,
    TEXT
  }

  public static Stat gauge(String name, String unit, double value) {
    return new Stat(name, unit, Kind.GAUGE, value, null);
  }

  public static Stat counter(String name, String unit, double value) {
    return new Stat(name, unit, Kind.COUNTER, value, null);
  }

  public static Stat text(String name, String text) {
    return new Stat(name, "", Kind.TEXT, Double.NaN, text);
  }
}
