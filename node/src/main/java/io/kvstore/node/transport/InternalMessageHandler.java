package io.kvstore.node.transport;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Receives node-to-node datagrams (command byte 0x20 and above) on the client port. The cluster
 * layer plugs in here; a node without one counts and drops them.
 */
public interface InternalMessageHandler {
  /**
   * Handles one datagram. The buffer is only valid during the call.
   *
   * @return whether the datagram was handled
   */
  boolean onInternal(ByteBuf datagram, InetSocketAddress sender);

  InternalMessageHandler NONE = (datagram, sender) -> false;
}
