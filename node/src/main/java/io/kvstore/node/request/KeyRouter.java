package io.kvstore.node.request;

import java.net.InetSocketAddress;

/** Tells the pipeline which node owns a key (in a real node: the cluster's ring). */
@FunctionalInterface
public interface KeyRouter {
  /** The owner's address if another node owns {@code key}; null if this node does. */
  InetSocketAddress remoteOwner(byte[] key);

  /** A single node owns everything. */
  KeyRouter LOCAL = key -> null;
}
