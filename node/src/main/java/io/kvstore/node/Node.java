package io.kvstore.node;

import io.kvstore.node.cluster.ClusterService;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.SwimConfig;
import io.kvstore.node.config.ConfigException;
import io.kvstore.node.config.HostPort;
import io.kvstore.node.monitor.StatsCollector;
import io.kvstore.node.monitor.NodeMetricsHttpServer;
import io.kvstore.node.monitor.PrometheusText;
import io.kvstore.node.monitor.StatsSampler;
import io.kvstore.node.monitor.StatusReport;
import java.util.Map;
import io.kvstore.node.config.NodeConfig;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.sources.ReplyBudget;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.RocksDbStorageEngine;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.node.runtime.SystemClock;
import io.kvstore.node.cluster.SwimCodec;
import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusGossip;
import io.kvstore.node.request.Forwarding;
import io.kvstore.node.request.InternalDispatch;
import io.kvstore.node.request.NodeControl;
import io.kvstore.node.request.PipelineSettings;
import io.kvstore.node.request.PipelineWiring;
import io.kvstore.node.request.RequestStats;
import io.kvstore.node.sources.SourceAllowList;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.transport.TransportSettings;
import io.kvstore.node.transport.UdpTransport;
import io.kvstore.protocol.MemberEntry;
import java.util.List;
import java.util.SplittableRandom;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import java.util.concurrent.ThreadLocalRandom;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running node: storage, the key-value service and the UDP front end, wired together. */
public final class Node implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);
  /** Tombstones are kept this long so that replicas that missed a delete still learn of it. */
  private static final long TOMBSTONE_GRACE_MILLIS = TimeUnit.HOURS.toMillis(1);
  /** The protocol promises that replies stay cached at least this long. */
  private static final long REPLY_RETENTION_MILLIS = 5_000;
  /** Reply budgets tracked at once (16 bytes each); idle sources take no entry. */
  private static final int REPLY_BUDGET_SOURCES = 32_768;
  /** Forwards awaiting the owner's reply, across all sockets. */
  private static final int FORWARDS_OUTSTANDING = 65_536;
  /** A client gives up after 1.5 s; an owner silent for 1 s will not answer at all. */
  private static final long FORWARD_TIMEOUT_MILLIS = 1_000;

  private final NodeConfig config;
  private final StorageEngine storage;
  private final ClusterService cluster;
  private final UdpTransport transport;
  private final ScheduledExecutorService maintenance;
  private final NodeMetricsHttpServer metricsServer;
  private volatile boolean closed;

  private Node(
      NodeConfig config,
      StorageEngine storage,
      ClusterService cluster,
      UdpTransport transport,
      ScheduledExecutorService maintenance,
      NodeMetricsHttpServer metricsServer) {
    this.metricsServer = metricsServer;
    this.config = config;
    this.storage = storage;
    this.cluster = cluster;
    this.transport = transport;
    this.maintenance = maintenance;
  }

  /** Starts a node; the caller owns it and must close it. */
  public static Node start(NodeConfig config) throws InterruptedException {
    config.validate();
    StorageLimits limits = new StorageLimits(config.maxKeys, config.maxBytesValue());
    StorageEngine storage;
    DiskSpaceGuard disk;
    if (config.memory) {
      storage = new MemoryStorageEngine(limits);
      disk = DiskSpaceGuard.none();
    } else {
      Path dir = prepareDataDir(config.dataDirPath());
      storage = RocksDbStorageEngine.open(dir, limits, false);
      try {
        disk = DiskSpaceGuard.forDirectory(dir, config.minFreeDiskValue());
      } catch (IOException e) {
        storage.close();
        throw new ConfigException("cannot inspect the disk of data-dir " + dir + ": " + e);
      }
    }
    HybridLogicalClock clock = new HybridLogicalClock(SystemClock.INSTANCE);
    KeyValueService service = new KeyValueService(storage, clock, disk);
    RequestStats stats = new RequestStats();
    PipelineSettings pipeline =
        new PipelineSettings(
            config.queueCapacity,
            config.batchSize,
            REPLY_RETENTION_MILLIS,
            config.errorRepliesPerSecond,
            new SourceAllowList(config.adminFrom),
            config.sync);
    TransportSettings settings =
        new TransportSettings(
            new InetSocketAddress(config.bind, config.port),
            config.ioThreads,
            config.replyCacheValue(),
            pipeline);
    SwimConfig swim = config.membership.toSwimConfig();
    FrameAuthenticator authenticator =
        config.effectiveClusterSecret() == null
            ? FrameAuthenticator.none()
            : FrameAuthenticator.withSecret(config.effectiveClusterSecret());
    // The membership sends through the transport, which is bound after it is built.
    UdpTransport[] bound = new UdpTransport[1];
    Network network = (to, datagram) -> bound[0].sendInternal(to, datagram);
    ClusterService cluster =
        new ClusterService(
            nodeId(config), advertisedAddress(config), swim, config.membership.toLimits(), SystemClock.INSTANCE,
            network, config.virtualNodes);
    ClientSources sources = clientSources(config);
    StatsCollector collector =
        new StatsCollector(
            storage, stats, sources, cluster::liveMembers, cluster::stats,
            config.memory ? null : config.dataDirPath(), version());
    StatsSampler sampler = new StatsSampler(collector);
    InetSocketAddress advertised = advertisedAddress(config);
    Map<String, String> labels = Map.copyOf(config.labels);
    // Status gossip shares the membership thread (its scheduler), so it needs no locks either.
    StatusGossip statusGossip =
        new StatusGossip(
            network, cluster.scheduler(), SystemClock.INSTANCE, new SplittableRandom(),
            cluster::randomAliveAddresses,
            round ->
                new StatusReport(
                    cluster.selfId().value(), advertised, round, System.currentTimeMillis(), labels,
                    sampler.latest()));
    InternalDispatch dispatch = new InternalDispatch(authenticator, stats);
    for (int type : SwimCodec.TYPES) {
      dispatch.register(type, cluster::onMembershipFrame);
    }
    dispatch.register(
        StatusCodec.ROUND, (from, frame) -> cluster.execute(() -> statusGossip.onRoundFrame(frame)));
    Forwarding forwarding =
        new Forwarding(
            FORWARDS_OUTSTANDING, FORWARD_TIMEOUT_MILLIS, SystemClock.INSTANCE, stats,
            ThreadLocalRandom.current().nextLong());
    UdpTransport transport;
    try {
      transport =
          UdpTransport.start(
              settings,
              new PipelineWiring(
                  pipeline, stats, SystemClock.INSTANCE, service, new ProcessControl(cluster),
                  cluster::remoteOwner, dispatch, forwarding, sources));
    } catch (RuntimeException | InterruptedException e) {
      cluster.close();
      storage.close();
      throw e;
    }
    bound[0] = transport;
    NodeMetricsHttpServer metricsServer = null;
    if (config.httpPort > 0) {
      try {
        metricsServer = startMetricsServer(config, cluster.selfId().value(), sampler);
      } catch (ConfigException e) {
        transport.close();
        cluster.close();
        storage.close();
        throw e;
      }
    }
    cluster.start(config.seedAddresses().stream().map(HostPort::toSocketAddress).toList());
    ScheduledExecutorService maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "maintenance");
              t.setDaemon(true);
              return t;
            });
    maintenance.scheduleWithFixedDelay(
        () -> collectTombstones(storage, clock), 10, 10, TimeUnit.MINUTES);
    maintenance.scheduleAtFixedRate(sampler::sample, 0, StatsSampler.PERIOD_SECONDS, TimeUnit.SECONDS);
    return new Node(config, storage, cluster, transport, maintenance, metricsServer);
  }

  /** Who the node answers, and how many reply bytes each source may get (docs/SECURITY.md). */
  private static ClientSources clientSources(NodeConfig config) {
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
            config.replyBudgetValue(), config.replyBurstValue(), REPLY_BUDGET_SOURCES,
            SystemClock.INSTANCE);
    return new ClientSources(allowed, trusted, budget, SystemClock.INSTANCE);
  }

  /** The node's own /metrics, on its bind address (the JDK's HTTP server: no framework). */
  private static NodeMetricsHttpServer startMetricsServer(
      NodeConfig config, String nodeId, StatsSampler sampler) {
    try {
      return new NodeMetricsHttpServer(
              () -> PrometheusText.render(nodeId, sampler.latest()), config.bind, config.httpPort)
          .start();
    } catch (IOException e) {
      throw new ConfigException(
          "invalid 'http-port': cannot listen on " + config.bind + ":" + config.httpPort + " (" + e.getMessage() + ")");
    }
  }

  /**
   * The node's id: configured, else kept in the data directory (created on first start), so a
   * restarted node is the same member and owns the same keys. In-memory nodes get a fresh one.
   */
  private static NodeId nodeId(NodeConfig config) {
    if (config.nodeId != null) {
      return new NodeId(config.nodeId);
    }
    String generated = "node-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    if (config.memory) {
      return new NodeId(generated);
    }
    Path file = config.dataDirPath().resolve("node-id");
    try {
      if (Files.exists(file)) {
        return new NodeId(Files.readString(file, StandardCharsets.UTF_8).trim());
      }
      Files.writeString(file, generated + "\n", StandardCharsets.UTF_8);
      return new NodeId(generated);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("cannot read or create the node id file " + file + ": " + e.getMessage());
    }
  }

  /** The build's version, from the jar manifest ("dev" when run from classes). */
  public static String version() {
    String v = Node.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Where other nodes reach us: the bind address, or this host's address when bound to all. */
  private static InetSocketAddress advertisedAddress(NodeConfig config) {
    try {
      InetAddress bind = InetAddress.getByName(config.bind);
      InetAddress advertised = bind.isAnyLocalAddress() ? InetAddress.getLocalHost() : bind;
      return new InetSocketAddress(advertised, config.port);
    } catch (UnknownHostException e) {
      throw new ConfigException("invalid 'bind': cannot resolve " + config.bind);
    }
  }

  private static Path prepareDataDir(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException(
          "invalid 'data-dir': cannot create " + dir.toAbsolutePath() + " (" + e + ")");
    }
    if (!Files.isWritable(dir)) {
      throw new ConfigException("invalid 'data-dir': " + dir.toAbsolutePath() + " is not writable");
    }
    return dir;
  }

  private static void collectTombstones(StorageEngine storage, HybridLogicalClock clock) {
    try {
      long cutoff = HybridLogicalClock.timestamp(System.currentTimeMillis() - TOMBSTONE_GRACE_MILLIS, 0);
      long removed = storage.collectTombstones(cutoff);
      if (removed > 0) {
        log.info("collected {} tombstones older than the grace period", removed);
      }
    } catch (RuntimeException e) {
      log.warn("tombstone collection failed; will retry", e);
    }
  }

  public NodeConfig config() {
    return config;
  }

  public StorageEngine storage() {
    return storage;
  }

  public UdpTransport transport() {
    return transport;
  }

  public ClusterService cluster() {
    return cluster;
  }

  /** Graceful stop: tell the cluster we leave, stop serving, then flush and close storage. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    maintenance.shutdownNow();
    if (metricsServer != null) {
      metricsServer.stop();
    }
    if (cluster.liveMembers() > 1) {
      cluster.leave(3 * config.membership.gossipIntervalMillis);
      log.info("left the cluster");
    }
    transport.close();
    cluster.close();
    storage.close();
    log.info("node stopped; storage flushed");
  }

  /** The process-level controls the transport exposes (GET_PID, members, SHUTDOWN). */
  private static final class ProcessControl implements NodeControl {
    private final int pid = (int) ProcessHandle.current().pid();
    private final ClusterService cluster;

    ProcessControl(ClusterService cluster) {
      this.cluster = cluster;
    }

    @Override
    public int pid() {
      return pid;
    }

    @Override
    public int liveMembers() {
      return cluster.liveMembers();
    }

    @Override
    public List<MemberEntry> members() {
      return cluster.members().stream()
          .map(m -> new MemberEntry(m.state().ordinal(), m.incarnation(), m.id().value(), m.address()))
          .toList();
    }

    @Override
    public void haltNow() {
      // An announced crash: no shutdown hooks, no flush. Storage is as after kill -9.
      Runtime.getRuntime().halt(0);
    }
  }
}
