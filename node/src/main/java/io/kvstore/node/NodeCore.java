package io.kvstore.node;

import io.kvstore.node.cluster.ClusterCore;
import io.kvstore.node.cluster.SwimCodec;
import io.kvstore.node.config.ConfigException;
import io.kvstore.node.config.NodeConfig;
import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusGossip;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.ops.OpsCore;
import io.kvstore.node.ops.OpsFrames;
import io.kvstore.node.ops.OpsMembers;
import io.kvstore.node.ops.files.FileFrames;
import io.kvstore.node.ops.files.FilePush;
import io.kvstore.node.ops.files.FileTransferConfig;
import io.kvstore.node.ops.run.OperationRunner;
import io.kvstore.node.ops.seen.SeenStore;
import io.kvstore.node.replication.AntiEntropy;
import io.kvstore.node.replication.AntiEntropyFrames;
import io.kvstore.node.replication.AntiEntropyStats;
import io.kvstore.node.replication.CoordinatorRegistry;
import io.kvstore.node.replication.HintStore;
import io.kvstore.node.replication.HintedHandoff;
import io.kvstore.node.replication.RangeStreamFrames;
import io.kvstore.node.replication.RebalanceStats;
import io.kvstore.node.replication.Rebalancer;
import io.kvstore.node.replication.Replica;
import io.kvstore.node.replication.ReplicaFrames;
import io.kvstore.node.replication.ReplicationConfig;
import io.kvstore.node.replication.ReplicationStats;
import io.kvstore.node.replication.ReplicationWiring;
import io.kvstore.node.replication.StreamReceiver;
import io.kvstore.node.request.InternalDispatch;
import io.kvstore.node.request.PipelineSettings;
import io.kvstore.node.request.PipelineWiring;
import io.kvstore.node.request.RequestStats;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.sources.ReplyBudget;
import io.kvstore.node.sources.SourceAllowList;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.time.HybridLogicalClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sans-IO heart of one node, assembled from its ports: the key-value service on the node's
 * clock, the request counters, status gossip, the internal frame dispatch table (membership,
 * status rounds, replica answers, anti-entropy), replication (the local replica, the coordinators'
 * registry, hinted handoff, anti-entropy),
 * and the {@link PipelineWiring} every request pipeline of the node shares. {@link Node} assembles it with threads, RocksDB and Netty around it; the simulator with a
 * virtual clock, memory storage and a simulated network — one wiring for both, so that what the
 * simulator tests is what runs.
 *
 * @param hlc the write timestamps, on the node's clock
 */
public record NodeCore(
    KeyValueService service,
    HybridLogicalClock hlc,
    RequestStats stats,
    StatusGossip statusGossip,
    InternalDispatch dispatch,
    Replica replica,
    ReplicationStats replicationStats,
    HintStore hints,
    HintedHandoff handoff,
    AntiEntropy antiEntropy,
    Rebalancer rebalancer,
    RebalanceStats rebalanceStats,
    OpsCore ops,
    FilePush files,
    PipelineWiring wiring) {

  private static final Logger log = LoggerFactory.getLogger(NodeCore.class);
  /** The protocol promises that replies stay cached at least this long. */
  public static final long REPLY_RETENTION_MILLIS = 5_000;
  /**
   * How long a request may wait in an event loop's queue before it is answered 0x03 unexecuted:
   * below the client's first retry (so a retry finds the node caught up), and the bound on how
   * long service stays degraded after a burst.
   */
  public static final long MAX_QUEUE_MILLIS = 100;
  /** Reply budgets tracked at once (16 bytes each); idle sources take no entry. */
  static final int REPLY_BUDGET_SOURCES = 32_768;

  /**
   * Where the node lives and what it runs on.
   *
   * @param clock the node's clock (wall time for write timestamps and reports, monotonic time for
   *     timeouts)
   * @param random seeds status gossip and the replication operation numbers (random, so a
   *     restarted node does not accept late answers meant for its previous life)
   * @param network node-to-node frames out, sealed with the cluster secret by the port
   * @param cluster membership and routing
   * @param clusterThread runs work on the thread of {@code cluster} (and of status gossip, which
   *     shares its scheduler)
   * @param advertised where other nodes reach this one
   * @param statsNow the latest sample of the node's statistics, for status reports
   * @param pid reported by GET_PID
   * @param haltNow what SHUTDOWN does: stop at once, as after kill -9
   * @param opsStore where accepted fleet operations are remembered across restarts
   * @param opsRunner runs the operations that target this node (called on the cluster thread)
   * @param files where pushed files go and what runs their transfer; null: no file push (every
   *     FILE operation goes to {@code opsRunner})
   */
  public record Ports(
      Clock clock,
      RandomGenerator random,
      Network network,
      ClusterCore cluster,
      ClusterThread clusterThread,
      InetSocketAddress advertised,
      Supplier<List<Stat>> statsNow,
      int pid,
      Runnable haltNow,
      SeenStore opsStore,
      OperationRunner opsRunner,
      FilePorts files) {}

  /**
   * File push (docs/OPERATIONS.md "Files"): chunks and files under {@code dataDir}/ops, the
   * transfer on {@code thread} (its own thread in a real node: disk writes never delay
   * membership), then-scripts through {@code thenScript}, refusals on receipt through {@code
   * refusal}, free space of the data disk from {@code disk}.
   */
  public record FilePorts(java.nio.file.Path dataDir, io.kvstore.node.runtime.Scheduler thread,
      io.kvstore.node.ops.files.FileOperations.ThenScript thenScript,
      io.kvstore.node.ops.files.FileOperations.Refusal refusal, io.kvstore.node.ops.files.DiskRoom disk) {}

  /** Hands work to the membership thread; a real node bounds what waits, in count and bytes. */
  @FunctionalInterface
  public interface ClusterThread {
    /** Runs {@code work}, which holds {@code bytes} of a received frame, on the cluster's thread. */
    void execute(Runnable work, int bytes);
  }

  /**
   * Builds the node's cores over {@code storage}, counting into {@code stats}, answering clients
   * as {@code sources} allows; nothing runs until a pipeline is fed.
   */
  public static NodeCore assemble(
      NodeConfig config, StorageEngine storage, StorageEngine hintStorage, DiskSpaceGuard disk,
      FrameAuthenticator authenticator, RequestStats stats, ClientSources sources, Ports ports) {
    HybridLogicalClock hlc = new HybridLogicalClock(ports.clock());
    KeyValueService service = new KeyValueService(storage, hlc, disk);
    ClusterCore cluster = ports.cluster();
    Map<String, String> labels = Map.copyOf(config.labels);
    // Status gossip shares the membership thread (its scheduler), so it needs no locks either.
    StatusGossip statusGossip =
        new StatusGossip(
            ports.network(), cluster.scheduler(), ports.clock(), ports.random(),
            cluster::randomAliveAddresses,
            round ->
                new StatusReport(
                    cluster.selfId().value(), ports.advertised(), round,
                    ports.clock().currentTimeMillis(), labels, ports.statsNow().get()));
    ClusterThread clusterThread = ports.clusterThread();
    InternalDispatch dispatch = new InternalDispatch(authenticator, stats);
    for (int type : SwimCodec.TYPES) {
      dispatch.register(
          type, (from, frame) ->
              clusterThread.execute(() -> cluster.onMembershipFrame(from, frame), frame.length));
    }
    dispatch.register(
        StatusCodec.ROUND,
        (from, frame) -> clusterThread.execute(() -> statusGossip.onRoundFrame(frame), frame.length));
    ReplicationStats replicationStats = new ReplicationStats();
    Replica replica = new Replica(storage, hlc, ports.clock(), disk, replicationStats);
    CoordinatorRegistry coordinators = new CoordinatorRegistry(replicationStats);
    dispatch.register(ReplicaFrames.WRITE_ACK,
        (from, frame) -> coordinators.deliver(from, frame, ReplicaFrames.WRITE_ACK));
    dispatch.register(ReplicaFrames.READ_REPLY,
        (from, frame) -> coordinators.deliver(from, frame, ReplicaFrames.READ_REPLY));
    ReplicationConfig replicationConfig = config.replication.toConfig();
    HintStore hints = new HintStore(hintStorage, replicationStats, ports.clock());
    // Hinted handoff shares the membership thread: it acts on membership (a replica is back).
    int handoffIndex = coordinators.nextIndex();
    HintedHandoff handoff =
        new HintedHandoff(handoffIndex, hints, cluster::ring, cluster.scheduler(), ports.network(),
            ports.clock(), replicationConfig, replicationStats, ports.random().nextLong());
    coordinators.register(handoffIndex, handoff, task -> clusterThread.execute(task, 0));
    handoff.start();
    // Anti-entropy too: it walks the ring's members, and its work is paced, not latency-bound.
    int antiEntropyIndex = coordinators.nextIndex();
    AntiEntropy antiEntropy =
        new AntiEntropy(antiEntropyIndex, storage, cluster::ring, cluster.scheduler(), ports.network(),
            ports.clock(), ports.random(), replicationConfig, new AntiEntropyStats());
    coordinators.register(antiEntropyIndex, antiEntropy.pushAnswers(), task -> clusterThread.execute(task, 0));
    for (int type : AntiEntropyFrames.TYPES) {
      dispatch.register(type, (from, frame) ->
          clusterThread.execute(() -> antiEntropy.onFrame(from, frame), frame.length));
    }
    antiEntropy.start();
    Rebalancer rebalancer = rebalancing(config, storage, replica, cluster, clusterThread, ports, dispatch,
        replicationStats);
    ReplicationWiring replication =
        new ReplicationWiring(replicationConfig, cluster::ring, cluster::isJoining, replica, hlc,
            coordinators, hints, replicationStats, ports.random().nextLong());
    FilePush files = filePush(cluster, ports, dispatch);
    OpsCore ops = operations(config, cluster, clusterThread, ports, dispatch,
        files == null ? ports.opsRunner() : files.runner());
    if (files != null) {
      String self = cluster.selfId().value();
      int resumed = files.resume(ops.seen().active(), op -> op.targets().matches(self, config.labels));
      if (resumed > 0) {
        log.info("fleet operations: fetching {} file(s) again that a restart interrupted", resumed);
      }
    }
    PipelineWiring wiring =
        new PipelineWiring(
            pipelineSettings(config), stats, ports.clock(), service,
            new ClusterControl(cluster, ports.pid(), ports.haltNow(), ops, files),
            dispatch, replication, sources);
    return new NodeCore(service, hlc, stats, statusGossip, dispatch, replica, replicationStats, hints,
        handoff, antiEntropy, rebalancer, rebalancer.stats(), ops, files, wiring);
  }

  /** File push over the node's network and members; CHUNK_WANT/CHUNK_PIECE go to its thread. */
  private static FilePush filePush(ClusterCore cluster, Ports ports, InternalDispatch dispatch) {
    FilePorts files = ports.files();
    if (files == null) {
      return null;
    }
    FilePush push = new FilePush(files.dataDir(), FileTransferConfig.defaults(), ports.network(), files.thread(),
        ports.clock(), new java.util.SplittableRandom(ports.random().nextLong()),
        () -> cluster.randomAliveAddresses(64), address -> isLiveMember(cluster, address),
        ports.opsRunner(), files.thenScript(), files.refusal(), files.disk());
    for (int type : FileFrames.TYPES) {
      dispatch.register(type, push::receive);
    }
    files.thread().execute(push::start);
    return push;
  }

  private static boolean isLiveMember(ClusterCore cluster, InetSocketAddress address) {
    io.kvstore.node.cluster.Ring.Owner owner = cluster.ring().memberAt(address);
    return owner != null && !owner.down();
  }

  /**
   * Fleet operations on the membership thread (they spread to members); submissions are verified
   * on the event loop that receives them. Started here, as hinted handoff is.
   */
  private static OpsCore operations(NodeConfig config, ClusterCore cluster, ClusterThread clusterThread,
      Ports ports, InternalDispatch dispatch, OperationRunner runner) {
    OpsMembers members = new OpsMembers() {
      @Override
      public List<InetSocketAddress> randomAlive(int count) {
        return cluster.randomAliveAddresses(count);
      }

      @Override
      public boolean isMember(InetSocketAddress address) {
        return isLiveMember(cluster, address);
      }
    };
    io.kvstore.node.ops.OpsConfig opsConfig = config.ops.toConfig();
    // A node with operations disabled sends nothing, so it draws nothing from the node's random
    // stream either: every simulation without operations replays as it did before they existed.
    RandomGenerator random = new java.util.SplittableRandom(opsConfig.enabled() ? ports.random().nextLong() : 0);
    OpsCore ops = new OpsCore(opsConfig, cluster.selfId().value(), config.labels, ports.opsStore(),
        runner, members, ports.network(), cluster.scheduler(), ports.clock(), random,
        task -> clusterThread.execute(task, 0));
    for (int type : OpsFrames.TYPES) {
      dispatch.register(type, (from, frame) ->
          clusterThread.execute(() -> ops.onFrame(from, frame), frame.length));
    }
    if (!ops.config().enabled()) {
      log.info("fleet operations disabled: no operator key in ops.trusted-keys");
    }
    ops.start();
    return ops;
  }

  /**
   * Rebalancing on the membership thread (it acts on ring changes); streamed batches are applied
   * on the event loop that received them, as replica writes are. Started by the caller once the
   * cluster has started ({@link Rebalancer#start}).
   */
  private static Rebalancer rebalancing(NodeConfig config, StorageEngine storage, Replica replica,
      ClusterCore cluster, ClusterThread clusterThread, Ports ports, InternalDispatch dispatch,
      ReplicationStats replicationStats) {
    RebalanceStats rebalanceStats = new RebalanceStats();
    boolean empty = storage.scan(null, 1, (k, r) -> { }) == null;
    Rebalancer rebalancer =
        new Rebalancer(storage, replica, cluster::ring, cluster.scheduler(), ports.network(),
            ports.clock(), config.replication.toConfig().n(), config.replication.toRebalanceConfig(),
            rebalanceStats, empty, ports.random().nextLong());
    StreamReceiver receiver = new StreamReceiver(replica, rebalanceStats,
        config.sync ? storage::sync : storage::flushWal);
    Network network = ports.network();
    dispatch.register(RangeStreamFrames.BATCH, (from, frame) -> {
      byte[] ack;
      try {
        ack = receiver.onBatch(frame);
      } catch (ReplicaFrames.MalformedFrameException e) {
        rebalanceStats.malformed.increment();
        return;
      }
      network.send(from, ack); // 28 bytes for up to 16 KB: no amplification, even unauthenticated
    });
    dispatch.register(RangeStreamFrames.ACK, (from, frame) ->
        clusterThread.execute(() -> rebalancer.onAck(from, frame), frame.length));
    dispatch.register(RangeStreamFrames.DONE, (from, frame) ->
        clusterThread.execute(() -> rebalancer.onDone(from, frame), frame.length));
    dispatch.register(RangeStreamFrames.REQUEST, (from, frame) ->
        clusterThread.execute(() -> rebalancer.onRequest(from, frame), frame.length));
    return rebalancer;
  }

  /** The request pipeline's tuning, from the node's configuration. */
  public static PipelineSettings pipelineSettings(NodeConfig config) {
    return new PipelineSettings(
        config.queueCapacity,
        config.batchSize,
        REPLY_RETENTION_MILLIS,
        config.errorRepliesPerSecond,
        new SourceAllowList(config.adminFrom),
        config.sync,
        MAX_QUEUE_MILLIS);
  }

  /**
   * Who the node answers, and how many reply bytes each source may get (docs/SECURITY.md), on
   * {@code clock}.
   */
  public static ClientSources clientSources(NodeConfig config, Clock clock) {
    SourceAllowList allowed = new SourceAllowList(config.allowClientsValue());
    SourceAllowList trusted = new SourceAllowList(config.trustedClients);
    log.info(
        "answering clients from {}{}; reply budget {}/s per source address, burst {}{}",
        allowed,
        config.allowClients == null ? " (default for bind " + config.bind + "; --allow-clients to change)" : "",
        config.replyBudget, config.replyBurst,
        trusted.isEmpty() ? "" : " (not for trusted " + trusted + ")");
    try {
      if (!InetAddress.getByName(config.bind).isLoopbackAddress()
          && config.allowClients == null
          && allowed.cidrs().equals(SourceAllowList.DEFAULT)) {
        log.warn(
            "bound to {} but answering loopback only: no private subnet on the bound interface."
                + " Name the clients with --allow-clients CIDR.",
            config.bind);
      }
    } catch (UnknownHostException e) {
      throw new ConfigException("invalid 'bind': cannot resolve " + config.bind);
    }
    ReplyBudget budget =
        new ReplyBudget(
            config.replyBudgetValue(), config.replyBurstValue(), REPLY_BUDGET_SOURCES, clock);
    return new ClientSources(allowed, trusted, budget, clock);
  }
}
