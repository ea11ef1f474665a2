package io.kvstore.node.transport;

import io.kvstore.node.service.KeyValueService;

/**
 * What the UDP front end is connected to: the local key-value service, the node's controls, the
 * cluster (routing and internal messages) and the authenticator of internal frames.
 */
public record TransportWiring(
    KeyValueService service,
    NodeControl node,
    KeyRouter router,
    InternalMessageHandler internal,
    FrameAuthenticator authenticator) {

  /** A single node: owns every key, no cluster messages. */
  public static TransportWiring standalone(KeyValueService service, NodeControl node) {
    return new TransportWiring(
        service, node, KeyRouter.LOCAL, InternalMessageHandler.NONE, FrameAuthenticator.none());
  }
}
