package io.kvstore.node.runtime;

import java.net.InetSocketAddress;

/**
 * The network port of sans-IO protocol logic: send one datagram. Production sends through the
 * node's UDP socket (adding the HMAC tag when a cluster secret is set); simulations deliver it
 * through a seeded, simulated network. Never blocks; delivery is best effort.
 */
public interface Network {
  void send(InetSocketAddress to, byte[] datagram);
}
