package io.kvstore.client;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** Parses and prints node addresses in the HOST:PORT form users type. */
public final class NodeAddress {
  private NodeAddress() {}

  /**
   * Parses {@code HOST:PORT} or {@code [IPV6]:PORT} and resolves the host.
   *
   * @throws IllegalArgumentException naming the problem when the text is not a usable address
   */
  public static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException(
          "expected a node address as HOST:PORT, such as 127.0.0.1:4000, got '" + hostPort + "'");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(
          "the port in '" + hostPort + "' must be a number from 1 to 65535");
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException(
          "cannot resolve host '" + host + "'; use an IP address or a name this machine resolves");
    }
    return address;
  }

  /** HOST:PORT with the address as typed when known, as numbers otherwise. */
  public static String format(InetSocketAddress address) {
    String host =
        address.getAddress() instanceof Inet6Address
            ? "[" + address.getAddress().getHostAddress() + "]"
            : address.getHostString();
    return host + ":" + address.getPort();
  }
}
