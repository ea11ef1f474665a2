package io.kvstore.node.cluster;

import io.kvstore.protocol.InternalFrame;
import io.kvstore.node.runtime.Network;
import java.net.InetSocketAddress;
import java.util.random.RandomGenerator;

/** Encodes membership messages into internal frames (each with a random frame id) and sends them. */
final class Outbox {
  private final Network network;
  private final RandomGenerator random;

  Outbox(Network network, RandomGenerator random) {
    this.network = network;
    this.random = random;
  }

  void send(InetSocketAddress to, SwimMessage message) {
    network.send(to, SwimCodec.encode(InternalFrame.randomId(random), message));
  }
}
