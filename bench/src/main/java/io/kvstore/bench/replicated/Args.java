package io.kvstore.bench.replicated;

import io.kvstore.client.NodeAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --name value} options of the harness's two programs, with bounds checked and every
 * error naming the option. Unknown options are errors, so a typo cannot silently run defaults.
 */
final class Args {
  private final Map<String, String> values;

  private Args(Map<String, String> values) {
    this.values = values;
  }

  static Args parse(String[] args) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i];
      if (!name.startsWith("--")) {
        throw new IllegalArgumentException("expected an option such as --window, got '" + name + "'");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      if (values.put(name, args[i + 1]) != null) {
        throw new IllegalArgumentException(name + " is given twice");
      }
    }
    return new Args(values);
  }

  String text(String name, String fallback) {
    String value = values.remove(name);
    if (value == null) {
      if (fallback == null) {
        throw new IllegalArgumentException(name + " is required");
      }
      return fallback;
    }
    return value;
  }

  int integer(String name, int fallback, int min, int max) {
    String value = text(name, Integer.toString(fallback));
    int parsed;
    try {
      parsed = Integer.parseInt(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
    }
    return requireRange(name, parsed, min, max);
  }

  double fraction(String name, double fallback) {
    String value = text(name, Double.toString(fallback));
    double parsed;
    try {
      parsed = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number from 0 to 1, got '" + value + "'");
    }
    if (!(parsed >= 0 && parsed <= 1)) {
      throw new IllegalArgumentException(name + " must be from 0 to 1, got " + value);
    }
    return parsed;
  }

  /** A duration such as 500ms, 10s or 2m, from {@code min} to {@code max}. */
  Duration duration(String name, String fallback, Duration min, Duration max) {
    String value = text(name, fallback);
    Duration parsed = parseDuration(name, value);
    if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be from " + min.toMillis() + " ms to " + max.toSeconds() + " s, got " + value);
    }
    return parsed;
  }

  /** A comma-separated list of HOST:PORT on the loopback network (the harness sends nowhere else). */
  List<InetSocketAddress> addresses(String name, String fallback) {
    String value = text(name, fallback);
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String part : value.split(",")) {
      InetSocketAddress address;
      try {
        address = NodeAddress.parse(part.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + ": " + e.getMessage());
      }
      if (address.getAddress() == null || !address.getAddress().isLoopbackAddress()) {
        throw new IllegalArgumentException(
            name + ": " + part.trim() + " is not a loopback address (127.0.0.0/8); the benchmark"
                + " loads only this machine");
      }
      addresses.add(address);
    }
    if (addresses.size() > 16) {
      throw new IllegalArgumentException(name + ": at most 16 addresses, got " + addresses.size());
    }
    return addresses;
  }

  /** Fails on any option no one asked for. */
  void requireAllUsed() {
    if (!values.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s): " + String.join(", ", values.keySet()));
    }
  }

  private static int requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be from " + min + " to " + max + ", got " + value);
    }
    return value;
  }

  private static Duration parseDuration(String name, String value) {
    try {
      if (value.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      }
      if (value.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
      }
      if (value.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new IllegalArgumentException(
        name + " must be a duration such as 500ms, 10s or 2m, got '" + value + "'");
  }
}
