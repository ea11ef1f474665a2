package io.kvstore.simulator;

import io.kvstore.node.NodeCore;
import io.kvstore.node.cluster.ClusterCore;
import io.kvstore.node.cluster.MalformedMessageException;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.request.DatagramSink;
import io.kvstore.node.request.ReplyCache;
import io.kvstore.node.request.RequestPipeline;
import io.kvstore.node.request.RequestStats;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.StorageLimits;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One simulated node process running the whole node: {@link NodeCore} (the same assembly as a
 * real node: key-value service and hybrid logical clock on this node's {@link SkewedClock},
 * status gossip, the internal dispatch table, forwarding), a {@link ClusterCore} (the real
 * membership and ring) and one real {@link RequestPipeline} with its reply cache, fed each
 * datagram as a batch of one. Everything runs on the simulation thread, which stands in for the
 * node's event loop and its membership thread alike.
 *
 * <p>A crash ends the process: its timers never fire, datagrams to it are lost, and the reply
 * cache, queue, forwarding table and membership state are gone. The storage survives only if the
 * cluster keeps storage across crashes ({@link KvCluster.Settings#durableStorage}), which models
 * RocksDB; otherwise a restarted node starts empty, as a {@code --memory} node does.
 */
public final class KvNode implements SimEndpoint {
  private final int index;
  private final NodeId id;
  private final InetSocketAddress address;
  private final Simulation sim;
  private final SimNetwork network;
  private final KvCluster.Settings settings;
  private final SkewedClock clock;
  private final Traffic traffic = new Traffic();
  private final DatagramSink sink = new Sink();

  private StorageEngine storage;
  private StorageEngine hintStorage;
  private ClusterCore cluster;
  private NodeCore core;
  private RequestPipeline pipeline;
  private final SimProcess process;
  private long malformedMembershipFrames;
  /**
   * The replay memory of fleet operations, kept across crashes as DATA_DIR/ops/seen is, so a
   * restarted node runs none twice.
   */
  private final io.kvstore.node.ops.seen.SeenStore.Memory opsStore = new io.kvstore.node.ops.seen.SeenStore.Memory();
  /** The operations this node was asked to run, over all its processes: the recording runner. */
  private final List<io.kvstore.node.ops.codec.SignedOperation> ran = new java.util.ArrayList<>();

  KvNode(int index, NodeId id, InetSocketAddress address, Simulation sim, SimNetwork network,
      KvCluster.Settings settings, SkewedClock clock) {
    this.index = index;
    this.id = id;
    this.address = address;
    this.sim = sim;
    this.process = new SimProcess(sim);
    this.network = network;
    this.settings = settings;
    this.clock = clock;
  }

  /** Starts a new process of this node, joining through {@code seeds} (none: first node). */
  public void start(List<InetSocketAddress> seeds) {
    int current = process.start(id);
    Scheduler scheduler = process.scheduler(current);
    Network port =
        (to, frame) -> {
          if (process.isRunning(current)) {
            network.send(this, to, settings.authenticator().seal(frame));
          }
        };
    if (storage == null || !settings.durableStorage()) {
      storage = settings.storage().create(index);
      hintStorage = new MemoryStorageEngine(new StorageLimits(0, 64L << 20));
    }
    long stream = ((long) index << 20) | current;
    // Membership limits fixed as SimNode's (not sized to this JVM's heap), so a seed replays anywhere.
    cluster = new ClusterCore(id, address, settings.swim(), SimNode.LIMITS, clock,
        sim.random(stream), port, scheduler,
        settings.node().virtualNodes);
    core = NodeCore.assemble(settings.node(), storage, hintStorage, DiskSpaceGuard.none(), settings.authenticator(),
        new RequestStats(), NodeCore.clientSources(settings.node(), clock),
        new NodeCore.Ports(clock, sim.random(stream | (1L << 19)), port, cluster, this::onClusterThread,
            address, List::of, 100_000 + index, this::crash, opsStore, ran::add, null));

    pipeline = new RequestPipeline(core.wiring(),
        new ReplyCache(settings.replyCacheBytes(), NodeCore.REPLY_RETENTION_MILLIS), scheduler, sink,
        address);
    Runnable join = () -> {
      cluster.start(seeds);
      core.rebalancer().start(!seeds.isEmpty());
    };
    if (settings.membershipStartLagMillis() > 0) {
      scheduler.schedule(settings.membershipStartLagMillis(), join); // the pipeline already serves
    } else {
      join.run();
    }
  }

  /**
   * SIGTERM: streams this node's ranges to the members that take them over (for at most
   * {@code leave-stream-timeout-ms} of virtual time), then announces the leave and stops, as
   * {@code Node.close} does. {@code then} runs once the process has stopped.
   */
  public void gracefulLeave(Runnable then) {
    if (!process.isUp()) {
      return;
    }
    int life = process.generation();
    boolean[] left = {false};
    Runnable leave = () -> {
      if (left[0] || !process.isRunning(life)) {
        return;
      }
      left[0] = true;
      cluster.leave();
      // The announcement needs a few gossip rounds to spread before the process goes.
      sim.after(3 * settings.node().membership.gossipIntervalMillis, () -> {
        crash();
        then.run();
      });
    };
    core.rebalancer().leave(leave);
    sim.after(settings.node().replication.toRebalanceConfig().leaveTimeoutMillis(), leave);
  }

  /** kill -9: the process stops sending, receiving and running timers; its state is gone. */
  public void crash() {
    if (!process.isUp()) {
      return;
    }
    cluster.stop();
    core.handoff().stop();
    core.antiEntropy().stop();
    core.rebalancer().stop();
    core.ops().stop();
    pipeline.close();
    process.stop();
  }

  /** CPU starvation: from now on this node handles every datagram and timer {@code millis} late. */
  public void setSlowness(long millis) {
    process.setSlowness(millis);
  }

  /** The membership thread of a real node runs this work; here it is the same thread. */
  private void onClusterThread(Runnable work, int bytes) {
    try {
      work.run();
    } catch (MalformedMessageException e) {
      malformedMembershipFrames++; // counted and dropped, as ClusterService does
    }
  }

  @Override
  public void receive(InetSocketAddress from, byte[] datagram) {
    pipeline.onDatagram(from, ByteBuffer.wrap(datagram));
    if (process.isUp()) { // a SHUTDOWN may just have ended the process
      pipeline.endBatch();
    }
  }

  /** Sends at once: the whole batch is one virtual instant, so flushing changes nothing. */
  private final class Sink implements DatagramSink {
    @Override
    public void send(InetSocketAddress to, ByteBuffer datagram) {
      if (!process.isUp()) {
        return;
      }
      byte[] bytes = new byte[datagram.remaining()];
      datagram.duplicate().get(bytes);
      network.send(KvNode.this, to, bytes);
    }

    @Override
    public void sendThen(InetSocketAddress to, ByteBuffer datagram, Runnable afterSent) {
      send(to, datagram);
      afterSent.run();
    }

    @Override
    public void flush() {}
  }

  @Override
  public int index() {
    return index;
  }

  public NodeId id() {
    return id;
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public boolean isUp() {
    return process.isUp();
  }

  @Override
  public long slownessMillis() {
    return process.slownessMillis();
  }

  @Override
  public Traffic traffic() {
    return traffic;
  }

  public SkewedClock clock() {
    return clock;
  }

  /** The membership and ring of the current (or last) process. */
  public ClusterCore cluster() {
    return cluster;
  }

  /** The cores of the current (or last) process: service, counters, gossip, forwarding. */
  public NodeCore core() {
    return core;
  }

  public RequestPipeline pipeline() {
    return pipeline;
  }

  /** The storage of the current (or last) process. */
  public StorageEngine storage() {
    return storage;
  }

  /** Whether this node's current ring makes it a replica of {@code key}. */
  public boolean owns(byte[] key) {
    return java.util.Arrays.stream(cluster.ring().replicasOf(key, settingsN()))
        .anyMatch(o -> o.id().equals(id));
  }

  /** The replication factor this node runs with. */
  int settingsN() {
    return settings.node().replication.n;
  }

  /** The fleet operations handed to this node's runner, in order, over all its processes. */
  public List<io.kvstore.node.ops.codec.SignedOperation> operationsRun() {
    return java.util.Collections.unmodifiableList(ran);
  }

  public long malformedMembershipFrames() {
    return malformedMembershipFrames;
  }

  @Override
  public String toString() {
    return id + "@" + address.getAddress().getHostAddress() + (process.isUp() ? "" : " (down)");
  }
}
