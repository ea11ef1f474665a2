package io.kvstore.node.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses sizes such as {@code 65536}, {@code 64KB}, {@code 64MB}, {@code 1.5GB} (powers of 1024). */
public final class ByteSize {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|K|KB|KIB|M|MB|MIB|G|GB|GIB|T|TB|TIB)?");

  private ByteSize() {}

  public static long parse(String field, String text) {
    if (text == null) {
      throw ConfigException.field(field, "is empty; write e.g. 65536, 64MB or 2GB");
    }
    Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw ConfigException.field(field, "'" + text + "' is not a size; write e.g. 65536, 64MB or 2GB");
    }
    double number = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    long multiplier =
        switch (unit.charAt(0)) {
          case 'K' -> 1L << 10;
          case 'M' -> 1L << 20;
          case 'G' -> 1L << 30;
          case 'T' -> 1L << 40;
          default -> 1L;
        };
    double bytes = number * multiplier;
    if (bytes > Long.MAX_VALUE) {
      throw ConfigException.field(field, "'" + text + "' is too large");
    }
    return (long) bytes;
  }

  public static String format(long bytes) {
    if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "GB";
    }
    if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "MB";
    }
    if (bytes >= 1L << 10 && bytes % (1L << 10) == 0) {
      return (bytes >> 10) + "KB";
    }
    return Long.toString(bytes);
  }
}
