package io.kvstore.simulator;

import io.kvstore.node.cluster.Member;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.SwimConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * N simulated nodes on one simulated network and clock, built from a seed. Node i is
 * {@code node-i} at 127.x.y.z:4000 (only a map key: no real socket is involved).
 */
public final class SimCluster {
  public static final int PORT = 4000;

  private final Simulation sim;
  private final SimNetwork network;
  private final ViewTracker views;
  private final SwimConfig config;
  private final SharedNames names = new SharedNames();
  private final List<SimNode> nodes = new ArrayList<>();

  public SimCluster(long seed, SwimConfig config) {
    this.sim = new Simulation(seed);
    this.network = new SimNetwork(sim);
    this.views = new ViewTracker(sim);
    this.config = config;
  }

  /**
   * {@code size} nodes started together, all joining through node 0, run until every view is
   * complete (on a fault-free network: faults are for the caller to add afterwards).
   *
   * @throws IllegalStateException if the views are not complete within {@code maxTime}
   */
  public static SimCluster formed(long seed, int size, SwimConfig config, Duration maxTime) {
    SimCluster cluster = new SimCluster(seed, config);
    List<SimNode> nodes = cluster.addNodes(size);
    cluster.startThrough(nodes.get(0), nodes);
    if (!cluster.sim().runUntil(cluster.views()::isConverged, maxTime)) {
      throw new IllegalStateException(size + " nodes did not all see each other alive within " + maxTime);
    }
    return cluster;
  }

  /** Adds {@code count} nodes, not started yet. */
  public List<SimNode> addNodes(int count) {
    List<SimNode> added = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int index = nodes.size();
      // Numbered, so that every member table finds this node in a dense array (NodeId.dense).
      NodeId id = NodeId.dense(String.format("node-%04d", index), index);
      InetSocketAddress address = addressOf(index);
      names.share(id, address);
      SimNode node = new SimNode(index, id, address, sim, network, views, config, names);
      nodes.add(node);
      network.register(node);
      views.register(node);
      added.add(node);
    }
    return added;
  }

  /** Starts {@code joiners}; all but {@code first} join through it. */
  public void startThrough(SimNode first, List<SimNode> joiners) {
    if (!first.isUp()) {
      first.start(List.of());
    }
    for (SimNode node : joiners) {
      if (node != first) {
        node.start(List.of(first.address()));
      }
    }
  }

  private static InetSocketAddress addressOf(int index) {
    int host = index + 1;
    byte[] ip = {127, (byte) (host >>> 16), (byte) (host >>> 8), (byte) host};
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), PORT);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an IPv4 address
    }
  }

  public SimNode node(int index) {
    return nodes.get(index);
  }

  public List<SimNode> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  public List<SimNode> running() {
    return nodes.stream().filter(SimNode::isUp).toList();
  }

  public int size() {
    return nodes.size();
  }

  public Simulation sim() {
    return sim;
  }

  public SimNetwork network() {
    return network;
  }

  public ViewTracker views() {
    return views;
  }

  public SwimConfig config() {
    return config;
  }

  /** Every running node other than {@code subject} sees it in a state that passes {@code test}. */
  public boolean everyoneSees(SimNode subject, Predicate<Member> test) {
    for (SimNode observer : nodes) {
      if (observer.isUp() && observer != subject) {
        Member m = observer.membership().member(subject.id());
        if (m == null || !test.test(m)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Every running node's full view, in node order: equal lists mean identical final states. */
  public List<List<Member>> snapshotViews() {
    return running().stream().map(n -> n.membership().members()).toList();
  }
}
