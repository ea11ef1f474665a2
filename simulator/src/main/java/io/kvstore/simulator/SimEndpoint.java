package io.kvstore.simulator;

import java.net.InetSocketAddress;

/**
 * Something with an address on the {@link SimNetwork}: a membership-only {@link SimNode}, a whole
 * {@link KvNode}, or a {@link SimClient}. Its index names it in the {@link Trace}.
 */
public interface SimEndpoint {
  int index();

  InetSocketAddress address();

  /** Whether it receives datagrams now (a crashed process does not; a client always does). */
  default boolean isUp() {
    return true;
  }

  /** How late it handles every datagram (CPU starvation); 0 normally. */
  default long slownessMillis() {
    return 0;
  }

  /** What it sent. */
  Traffic traffic();

  /** One datagram delivered to it, on the simulation thread. */
  void receive(InetSocketAddress from, byte[] datagram);
}
