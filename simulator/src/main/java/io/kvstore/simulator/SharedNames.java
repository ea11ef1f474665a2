package io.kvstore.simulator;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.WireNames;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * One instance per node id and per address of a simulated cluster's own nodes, for every
 * membership in it: at 5,000 nodes the member tables hold 25 M entries, and decoded copies of ids
 * and addresses were most of the heap; with shared ones a table lookup finds its key by
 * reference. Only the nodes the cluster created are shared: an id or address nobody has (a
 * forgery) stays as decoded, so hostile frames cannot grow this table.
 */
final class SharedNames implements WireNames {
  private final Map<NodeId, NodeId> ids = new HashMap<>();
  private final Map<InetSocketAddress, InetSocketAddress> addresses = new HashMap<>();

  /** Shares {@code id} and {@code address} (a node of the cluster) from now on. */
  void share(NodeId id, InetSocketAddress address) {
    ids.putIfAbsent(id, id);
    addresses.putIfAbsent(address, address);
  }

  @Override
  public NodeId id(NodeId decoded) {
    return ids.getOrDefault(decoded, decoded);
  }

  @Override
  public InetSocketAddress address(InetSocketAddress decoded) {
    return addresses.getOrDefault(decoded, decoded);
  }
}
