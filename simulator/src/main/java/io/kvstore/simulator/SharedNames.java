package io.kvstore.simulator;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.WireNames;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * One instance per node id and per address for every membership of a simulated cluster: at
 * 5,000 nodes the member tables hold 25 M entries, and decoded copies of ids and addresses were
 * most of the heap; with shared ones a table lookup finds its key by reference. Bounded, so that
 * forged datagrams with made-up ids cannot grow it without limit (past the bound, ids are kept
 * as decoded, which changes nothing but memory).
 */
final class SharedNames implements WireNames {
  static final int MAX_NAMES = 1 << 20;

  private final Map<NodeId, NodeId> ids = new HashMap<>();
  private final Map<InetSocketAddress, InetSocketAddress> addresses = new HashMap<>();
  private long refused;

  @Override
  public NodeId id(NodeId decoded) {
    return canonical(ids, decoded);
  }

  @Override
  public InetSocketAddress address(InetSocketAddress decoded) {
    return canonical(addresses, decoded);
  }

  /** Names not shared because the table was full. */
  long refused() {
    return refused;
  }

  private <T> T canonical(Map<T, T> names, T decoded) {
    T shared = names.get(decoded);
    if (shared != null) {
      return shared;
    }
    if (names.size() >= MAX_NAMES) {
      refused++;
      return decoded;
    }
    names.put(decoded, decoded);
    return decoded;
  }
}
