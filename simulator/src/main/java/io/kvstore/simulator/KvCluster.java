package io.kvstore.simulator;

import io.kvstore.client.KvClientConfig;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.SwimConfig;
import io.kvstore.node.config.NodeConfig;
import io.kvstore.node.config.ReplicationSettings;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.StorageLimits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A simulated key-value cluster, built from a seed: {@code nodes} whole nodes ({@link KvNode}) and
 * {@code clients} clients ({@link SimClient}) on one {@link SimNetwork} and virtual clock. Node i
 * is {@code node-i} at 127.x.y.z:4000 like {@link SimCluster}'s; client c is at 127.255.x.y:5000.
 * Each node's wall clock is skewed and drifts within the settings' bounds, drawn from the seed.
 */
public final class KvCluster {
  /** Trace index of client 0: clients are numbered after any node. */
  public static final int FIRST_CLIENT = 1 << 20;
  private static final long SKEW_STREAM = -2;

  /** Makes the storage of one node process (a test may wrap it to watch executions). */
  @FunctionalInterface
  public interface StorageFactory {
    StorageEngine create(int nodeIndex);
  }

  /**
   * How the simulated nodes are configured.
   *
   * @param node the node configuration every node gets (its defaults, as a real node's; tuning
   *     and membership settings from here)
   * @param authenticator node-to-node frames are sealed and checked with this secret
   * @param durableStorage a restarted node keeps its storage (as with RocksDB); otherwise it starts
   *     empty (as with {@code --memory})
   * @param replyCacheBytes each node's reply cache (one pipeline per node)
   * @param maxSkewMillis each node's wall clock is off by up to this much, either way
   * @param maxDriftPpm and runs fast or slow by up to this many parts per million
   */
  public record Settings(
      NodeConfig node,
      FrameAuthenticator authenticator,
      boolean durableStorage,
      int replyCacheBytes,
      long maxSkewMillis,
      double maxDriftPpm,
      StorageFactory storage,
      long membershipStartLagMillis) {

    /** Real node defaults, in memory, a small queue (the simulator holds many nodes), no skew. */
    public static Settings defaults() {
      NodeConfig config = new NodeConfig();
      config.memory = true;
      config.queueCapacity = 256;
      return new Settings(config, FrameAuthenticator.withSecret("simulated-cluster-secret-0123456789"),
          false, 512 * 1024, 0, 0,
          index -> new MemoryStorageEngine(new StorageLimits(config.maxKeys, config.maxBytesValue())), 0);
    }

    public Settings withSkew(long maxSkewMillis, double maxDriftPpm) {
      return new Settings(node, authenticator, durableStorage, replyCacheBytes, maxSkewMillis, maxDriftPpm,
          storage, membershipStartLagMillis);
    }

    /**
     * Replication factor {@code n} and quorums {@code r}, {@code w} (in the node config, which
     * {@link #defaults()} makes fresh for every cluster).
     */
    public Settings withReplication(int n, int r, int w) {
      ReplicationSettings replication = new ReplicationSettings();
      replication.n = n;
      replication.r = r;
      replication.w = w;
      replication.toConfig(); // fails here, naming the field, if the quorums are not strict
      node.replication = replication;
      return this;
    }

    public Settings withDurableStorage(boolean durable) {
      return new Settings(node, authenticator, durable, replyCacheBytes, maxSkewMillis, maxDriftPpm, storage,
          membershipStartLagMillis);
    }

    public Settings withStorage(StorageFactory factory) {
      return new Settings(node, authenticator, durableStorage, replyCacheBytes, maxSkewMillis, maxDriftPpm,
          factory, membershipStartLagMillis);
    }

    /**
     * A started process serves its socket this long before its membership starts, as a real node
     * does: its transport binds first, and the membership thread runs the join afterwards (a
     * loaded machine makes that gap long). Requests that arrive meanwhile meet a node that has not
     * joined yet.
     */
    public Settings withMembershipStartLag(long millis) {
      return new Settings(node, authenticator, durableStorage, replyCacheBytes, maxSkewMillis, maxDriftPpm,
          storage, millis);
    }

    SwimConfig swim() {
      return node.membership.toSwimConfig();
    }
  }

  private final Simulation sim;
  private final SimNetwork network;
  private final Settings settings;
  private final List<KvNode> nodes = new ArrayList<>();
  private final List<SimClient> clients = new ArrayList<>();
  private final Map<InetSocketAddress, KvNode> byAddress = new HashMap<>();

  public KvCluster(long seed, int nodeCount, int clientCount, Settings settings) {
    this.sim = new Simulation(seed);
    this.network = new SimNetwork(sim);
    this.settings = settings;
    SplittableRandom skew = sim.random(SKEW_STREAM);
    for (int i = 0; i < nodeCount; i++) {
      long offset = settings.maxSkewMillis() == 0 ? 0
          : skew.nextLong(-settings.maxSkewMillis(), settings.maxSkewMillis() + 1);
      double drift = settings.maxDriftPpm() == 0 ? 0
          : skew.nextDouble(-settings.maxDriftPpm(), settings.maxDriftPpm());
      KvNode node = new KvNode(i, new NodeId(String.format("node-%04d", i)), address(i + 1, SimCluster.PORT),
          sim, network, settings, new SkewedClock(sim.clock(), offset, drift));
      nodes.add(node);
      byAddress.put(node.address(), node);
      network.register(node);
    }
    KvClientConfig retries = KvClientConfig.builder().node(nodes.get(0).address()).build();
    for (int c = 0; c < clientCount; c++) {
      SimClient client = new SimClient(FIRST_CLIENT + c, address((255 << 16) | c, 5000), sim, network, retries);
      clients.add(client);
      network.register(client);
    }
  }

  /**
   * A cluster whose nodes all started together through node 0 and see each other alive, on a
   * fault-free network (faults are for the caller to add afterwards).
   *
   * @throws IllegalStateException if that takes longer than {@code maxTime}
   */
  public static KvCluster formed(long seed, int nodeCount, int clientCount, Settings settings,
      Duration maxTime) {
    KvCluster cluster = new KvCluster(seed, nodeCount, clientCount, settings);
    cluster.nodes.get(0).start(List.of());
    for (KvNode node : cluster.nodes.subList(1, nodeCount)) {
      node.start(List.of(cluster.nodes.get(0).address()));
    }
    if (!cluster.sim.runUntil(cluster::isConverged, maxTime)) {
      throw new IllegalStateException(nodeCount + " nodes did not all see each other alive within " + maxTime);
    }
    cluster.sim.runFor(Duration.ofMillis(100)); // the rings are rebuilt 20 ms after the last change
    // Nodes that joined empty answer reads of their ranges as incomplete until every member said
    // DONE for the final ring (docs/REPLICATION.md "Rebalancing"): formed once that is over.
    if (!cluster.sim.runUntil(cluster::isRebalanced, maxTime)) {
      throw new IllegalStateException(nodeCount + " nodes did not finish rebalancing within " + maxTime);
    }
    return cluster;
  }

  /** Every running node sees exactly the running nodes alive. */
  public boolean isConverged() {
    long running = nodes.stream().filter(KvNode::isUp).count();
    return nodes.stream().filter(KvNode::isUp).allMatch(n -> n.cluster().liveMembers() == running);
  }

  /** Every running node has streamed what the ring asks of it and holds every range it replicates. */
  public boolean isRebalanced() {
    return nodes.stream().filter(KvNode::isUp).allMatch(n -> n.core().rebalancer().settled());
  }

  /** Starts a crashed node again, joining through the first running node. */
  public void restart(KvNode node) {
    KvNode seed = nodes.stream().filter(n -> n.isUp() && n != node).findFirst().orElseThrow();
    node.start(List.of(seed.address()));
  }

  /** The node that {@code observer}'s ring says owns {@code key} (the first of its replicas). */
  public KvNode ownerSeenBy(KvNode observer, byte[] key) {
    return byAddress.get(observer.cluster().ring().ownerOf(key).address());
  }

  /** The nodes that {@code observer}'s ring says hold {@code key}, owner first. */
  public List<KvNode> replicasSeenBy(KvNode observer, byte[] key) {
    return java.util.Arrays.stream(
            observer.cluster().ring().replicasOf(key, node(0).settingsN()))
        .map(o -> byAddress.get(o.address()))
        .toList();
  }

  private static InetSocketAddress address(int host, int port) {
    byte[] ip = {127, (byte) (host >>> 16), (byte) (host >>> 8), (byte) host};
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an IPv4 address
    }
  }

  public List<KvNode> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  public KvNode node(int index) {
    return nodes.get(index);
  }

  public List<SimClient> clients() {
    return Collections.unmodifiableList(clients);
  }

  public SimClient client(int index) {
    return clients.get(index);
  }

  public Simulation sim() {
    return sim;
  }

  public SimNetwork network() {
    return network;
  }

  public Settings settings() {
    return settings;
  }

  /** Every client shows each request's start and end to {@code recorder} from now on. */
  public void record(ClientRecorder recorder) {
    clients.forEach(c -> c.record(recorder));
  }

  /** Every operation of every client, client by client in completion order. */
  public List<Operation> history() {
    List<Operation> all = new ArrayList<>();
    clients.forEach(c -> all.addAll(c.history()));
    return all;
  }
}
