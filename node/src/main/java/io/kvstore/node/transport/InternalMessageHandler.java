package io.kvstore.node.transport;

import java.net.InetSocketAddress;

/**
 * Receives node-to-node frames (type 0x20 and above) other than request forwarding, already
 * authenticated and without their tag. The cluster layer plugs in here.
 */
public interface InternalMessageHandler {
  /**
   * Handles one frame; called on a transport thread, so implementations hand the work to their
   * own thread.
   *
   * @return whether the frame was handled
   */
  boolean onInternal(byte[] frame, InetSocketAddress sender);

  InternalMessageHandler NONE = (frame, sender) -> false;
}
