package io.kvstore.node.cluster;

import java.net.InetSocketAddress;

/**
 * Where the node ids and addresses decoded from membership datagrams are made canonical. A node
 * keeps what each datagram decodes ({@link #AS_DECODED}). The simulator runs thousands of
 * memberships in one JVM: it shares one instance per id and per address among all of them, so
 * that their member tables do not hold N² copies and table lookups compare references.
 */
public interface WireNames {
  /** The instance to keep for {@code decoded} (an equal one). */
  NodeId id(NodeId decoded);

  /** The instance to keep for {@code decoded} (an equal one). */
  InetSocketAddress address(InetSocketAddress decoded);

  WireNames AS_DECODED = new WireNames() {
    @Override
    public NodeId id(NodeId decoded) {
      return decoded;
    }

    @Override
    public InetSocketAddress address(InetSocketAddress decoded) {
      return decoded;
    }
  };
}
