package io.kvstore.node.config;

import java.net.InetSocketAddress;

/** A HOST:PORT pair as written by users ({@code 127.0.0.1:4000}, {@code [::1]:4000}). */
public record HostPort(String host, int port) {

  public static HostPort parse(String field, String text) {
    return parse(field, text, false);
  }

  /** Like {@link #parse(String, String)}; port 0 ("any free port") only if {@code anyPort}. */
  public static HostPort parse(String field, String text, boolean anyPort) {
    String t = text.trim();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw ConfigException.field(field, "'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:4000)");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < (anyPort ? 0 : 1) || port > 65_535) {
      throw ConfigException.field(
          field, "'" + text + "' has no valid port (" + (anyPort ? 0 : 1) + "-65535)");
    }
    return new HostPort(host, port);
  }

  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
