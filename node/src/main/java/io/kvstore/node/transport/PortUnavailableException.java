package io.kvstore.node.transport;

import java.net.InetSocketAddress;

/** The node could not bind its UDP port. */
public final class PortUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PortUnavailableException(InetSocketAddress address, Throwable cause) {
    super(
        "cannot listen on udp "
            + address.getHostString()
            + ":"
            + address.getPort()
            + " ("
            + cause.getMessage()
            + "). Is another node running there? Stop it, or pick another port with --port.",
        cause);
  }
}
