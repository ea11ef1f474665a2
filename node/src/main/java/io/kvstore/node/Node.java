package io.kvstore.node;

import io.kvstore.node.cluster.ClusterService;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.SwimConfig;
import io.kvstore.node.config.ClusterSecret;
import io.kvstore.node.config.ConfigException;
import io.kvstore.node.config.HostPort;
import io.kvstore.node.config.NodeConfig;
import io.kvstore.node.monitor.NodeMetricsHttpServer;
import io.kvstore.node.monitor.PrometheusText;
import io.kvstore.node.monitor.RepairMetrics;
import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.ReplicationMetrics;
import io.kvstore.node.monitor.StatsCollector;
import io.kvstore.node.monitor.StatsSampler;
import io.kvstore.node.request.RequestStats;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.runtime.SystemClock;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.RocksDbStorageEngine;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.WalMode;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.node.transport.TransportSettings;
import io.kvstore.node.transport.UdpTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/** One running node: storage, the key-value service and the UDP front end, wired together. */
public final class Node implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);
  private final NodeConfig config;
  private final StorageEngine storage;
  private final StorageEngine hintStorage;
  private final DiskSpaceGuard disk;
  private final ClusterService cluster;
  private final UdpTransport transport;
  private final ScheduledExecutorService maintenance;
  private final NodeMetricsHttpServer metricsServer;
  private final ClusterSecret secret;
  private final io.kvstore.node.replication.Rebalancer rebalancer;
  /** Runs the operation scripts that target this node (slice ops-runner); stopped with the node. */
  private final io.kvstore.node.ops.run.BashScriptRunner scripts;
  /** File push's thread (chunk I/O off the membership thread); null for in-memory nodes. */
  private final ScheduledExecutorService filesThread;
  private volatile boolean closed;

  private Node(
      NodeConfig config,
      StorageEngine storage,
      StorageEngine hintStorage,
      DiskSpaceGuard disk,
      ClusterService cluster,
      UdpTransport transport,
      ScheduledExecutorService maintenance,
      NodeMetricsHttpServer metricsServer,
      ClusterSecret secret,
      io.kvstore.node.replication.Rebalancer rebalancer,
      io.kvstore.node.ops.run.BashScriptRunner scripts,
      ScheduledExecutorService filesThread) {
    this.scripts = scripts;
    this.filesThread = filesThread;
    this.secret = secret;
    this.rebalancer = rebalancer;
    this.metricsServer = metricsServer;
    this.config = config;
    this.storage = storage;
    this.hintStorage = hintStorage;
    this.disk = disk;
    this.cluster = cluster;
    this.transport = transport;
    this.maintenance = maintenance;
  }

  /** Starts a node; the caller owns it and must close it. */
  public static Node start(NodeConfig config) throws InterruptedException {
    config.validate();
    StorageLimits limits = new StorageLimits(config.maxKeys, config.maxBytesValue());
    if (!config.memory) {
      NodeSetup.dataDir(config.dataDirPath());
    }
    ClusterSecret secret = ClusterSecret.resolve(config, System.getenv());
    StorageEngine storage;
    StorageEngine hintStorage;
    DiskSpaceGuard disk;
    // Hints have a store of their own, bounded in bytes (replication.max-hint-bytes).
    StorageLimits hintLimits = new StorageLimits(0, config.replication.toConfig().maxHintBytes());
    if (config.memory) {
      storage = new MemoryStorageEngine(limits);
      hintStorage = new MemoryStorageEngine(hintLimits);
      disk = DiskSpaceGuard.none();
    } else {
      Path dir = config.dataDirPath();
      // Records: the pipeline flushes the WAL once per batch before replying. Hints are written
      // outside that flush (and rarely), so each hint write hands its WAL record over itself.
      storage = RocksDbStorageEngine.open(dir, limits, WalMode.BUFFERED);
      try {
        hintStorage = RocksDbStorageEngine.open(dir.resolve("hints"), hintLimits, WalMode.EVERY_WRITE);
      } catch (RuntimeException e) {
        storage.close();
        throw e;
      }
      new DownTimeGuard(dir).wipeIfDownTooLong(
          System.currentTimeMillis(), config.replication.tombstoneGraceMillis, storage, hintStorage);
      try {
        disk = DiskSpaceGuard.forDirectory(dir, config.minFreeDiskValue());
      } catch (IOException e) {
        storage.close();
        hintStorage.close();
        throw new ConfigException("cannot inspect the disk of data-dir " + dir + ": " + e);
      }
    }
    SwimConfig swim = config.membership.toSwimConfig();
    FrameAuthenticator authenticator =
        secret.insecure() ? FrameAuthenticator.none() : FrameAuthenticator.withSecret(secret.secret());
    // The membership sends through the transport, which is bound after it is built.
    UdpTransport[] bound = new UdpTransport[1];
    Network network = (to, datagram) -> bound[0].sendInternal(to, datagram);
    InetSocketAddress advertised = NodeSetup.advertisedAddress(config);
    ClusterService cluster =
        new ClusterService(
            NodeSetup.nodeId(config), advertised, swim, config.membership.toLimits(), SystemClock.INSTANCE,
            network, config.virtualNodes);
    RequestStats stats = new RequestStats();
    if (secret.insecure()) {
      stats.markInsecure();
    }
    ClientSources sources = NodeCore.clientSources(config, SystemClock.INSTANCE);
    StatsCollector collector =
        new StatsCollector(
            storage, stats, sources, cluster::liveMembers, cluster::stats,
            () -> bound[0] == null ? -1 : bound[0].kernelReceiveDrops(),
            config.memory ? null : config.dataDirPath(), version());
    StatsSampler sampler = new StatsSampler(collector);
    // Scripts run in DATA_DIR/ops/work/<op-id> (also for --memory nodes: the scripts need a place).
    io.kvstore.node.ops.run.BashScriptRunner scripts = new io.kvstore.node.ops.run.BashScriptRunner(
        config.dataDirPath(), cluster.selfId().value(),
        config.ops.toConfig().runnerSettings(), SystemClock.INSTANCE,
        new io.kvstore.node.ops.run.RecentResults(), new io.kvstore.node.ops.run.RunnerStats());
    // File push runs on a thread of its own: chunk writes and assembly never delay membership.
    ScheduledExecutorService filesThread = config.memory ? null
        : Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "ops-files");
          t.setDaemon(true);
          return t;
        });
    NodeCore core =
        NodeCore.assemble(
            config, storage, hintStorage, disk, authenticator, stats, sources,
            new NodeCore.Ports(
                SystemClock.INSTANCE, new SplittableRandom(), network, cluster.core(),
                cluster::execute, advertised, sampler::latest,
                (int) ProcessHandle.current().pid(),
                // An announced crash: no shutdown hooks, no flush. Storage is as after kill -9.
                () -> Runtime.getRuntime().halt(0),
                config.memory ? new io.kvstore.node.ops.seen.SeenStore.Memory(SystemClock.INSTANCE.currentTimeMillis())
                    : new io.kvstore.node.ops.seen.DirectorySeenStore(config.dataDirPath().resolve("ops").resolve("seen")),
                scripts,
                filesThread == null ? null : new NodeCore.FilePorts(config.dataDirPath(), Scheduler.on(filesThread),
                    (op, script, file) -> scripts.runThen(op, script), scripts::refusedFile, NodeSetup.fileDisk(config))));
    if (core.files() != null) {
      collector.addSource(() -> io.kvstore.node.monitor.FileTransferMetrics.stats(core.files()));
    }

    collector.addSource(() -> ReplicationMetrics.of(core.replicationStats(), core.hints()));
    collector.addSource(() -> RepairMetrics.of(core.antiEntropy().stats()));
    collector.addSource(() -> io.kvstore.node.monitor.OpsMetrics.of(core.ops()));
    collector.addSource(() -> io.kvstore.node.monitor.OpsResultMetrics.of(scripts));
    int replicas = config.replication.toConfig().n();
    collector.addSource(() -> io.kvstore.node.monitor.RebalanceMetrics.of(
        core.rebalanceStats(), cluster.core().ring(), replicas));
    TransportSettings settings =
        new TransportSettings(
            new InetSocketAddress(config.bind, config.port),
            config.ioThreads,
            config.replyCacheValue(),
            core.wiring().settings(),
            config.busyPoll,
            config.idleSpinMicros);
    // A start that fails closes, in reverse, what was opened before it (its lock on the data).
    Runnable closeOpened = () -> {
      cluster.close();
      disk.close();
      storage.close();
      hintStorage.close();
    };
    UdpTransport transport;
    try {
      transport = UdpTransport.start(settings, core.wiring());
    } catch (RuntimeException | InterruptedException e) {
      closeOpened.run();
      throw e;
    }
    bound[0] = transport;
    NodeMetricsHttpServer metricsServer = null;
    if (config.httpPort > 0) {
      try {
        metricsServer = startMetricsServer(config, cluster.selfId().value(), sampler, sources);
        NodeMetricsHttpServer http = metricsServer;
        collector.addSource(() -> List.of(
            Stat.counter("http.refused.busy", "connections", http.refusedBusy()),
            Stat.counter("http.refused.source", "requests", http.refusedSource())));
      } catch (ConfigException e) {
        transport.close();
        closeOpened.run();
        throw e;
      }
    }
    boolean withSeeds = !config.seedAddresses().isEmpty();
    try {
      cluster.start(config.seedAddresses().stream().map(HostPort::toSocketAddress).toList(),
          () -> core.rebalancer().start(withSeeds));
    } catch (RuntimeException e) { // the membership thread did not start it: stop as a failed start
      if (metricsServer != null) {
        metricsServer.stop();
      }
      transport.close();
      closeOpened.run();
      throw e;
    }
    ScheduledExecutorService maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "maintenance");
              t.setDaemon(true);
              return t;
            });
    maintenance.scheduleWithFixedDelay(
        () -> collectTombstones(storage, config.replication.tombstoneGraceMillis), 10, 10,
        TimeUnit.MINUTES);
    maintenance.scheduleAtFixedRate(sampler::sample, 0, StatsSampler.PERIOD_SECONDS, TimeUnit.SECONDS);
    if (!config.memory) {
      DownTimeGuard downTime = new DownTimeGuard(config.dataDirPath());
      maintenance.scheduleAtFixedRate(
          () -> downTime.noteRunning(System.currentTimeMillis()), 0, 1, TimeUnit.MINUTES);
    }
    SecretNotices.atStart(secret, advertised);
    if (secret.insecure()) {
      maintenance.scheduleAtFixedRate(
          SecretNotices::insecureReminder, SecretNotices.INSECURE_REMINDER_SECONDS,
          SecretNotices.INSECURE_REMINDER_SECONDS, TimeUnit.SECONDS);
    }
    return new Node(config, storage, hintStorage, disk, cluster, transport, maintenance, metricsServer,
        secret, core.rebalancer(), scripts, filesThread);
  }

  /** The node's own /metrics, on its bind address (the JDK's HTTP server: no framework). */
  private static NodeMetricsHttpServer startMetricsServer(
      NodeConfig config, String nodeId, StatsSampler sampler, ClientSources sources) {
    try {
      return new NodeMetricsHttpServer(() -> PrometheusText.render(nodeId, sampler.latest()),
              config.bind, config.httpPort, sources.allowed()::permits)
          .start();
    } catch (IOException e) {
      throw new ConfigException(
          "invalid 'http-port': cannot listen on " + config.bind + ":" + config.httpPort + " (" + e.getMessage() + ")");
    }
  }

  /** The build's version, from the jar manifest ("dev" when run from classes). */
  public static String version() {
    String v = Node.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** The cluster secret this node authenticates internal datagrams with (null source: never). */
  public ClusterSecret clusterSecret() {
    return secret;
  }

  private static void collectTombstones(StorageEngine storage, long graceMillis) {
    try {
      long cutoff = HybridLogicalClock.timestamp(System.currentTimeMillis() - graceMillis, 0);
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

  /**
   * Before a graceful leave: streams this node's ranges to the members that take them over, while
   * clients are still served, for at most {@code leave-stream-timeout-ms}; then the node leaves
   * whatever is left (the remaining replicas still hold every key; the new ones catch up by the
   * streams of the ring change).
   */
  private void streamRangesAway() {
    long timeout = config.replication.toRebalanceConfig().leaveTimeoutMillis();
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    io.kvstore.node.replication.RebalanceStats s = rebalancer.stats();
    long records = s.recordsStreamed.sum();
    long bytes = s.bytesStreamed.sum();
    log.info("leaving: streaming this node's ranges to the members that take them over (at most {} ms)",
        timeout);
    cluster.execute(() -> rebalancer.leave(done::countDown));
    try {
      boolean finished = done.await(timeout, TimeUnit.MILLISECONDS);
      log.info("leaving: {} {} records ({} bytes) streamed{}",
          finished ? "done," : "timed out,", s.recordsStreamed.sum() - records,
          s.bytesStreamed.sum() - bytes,
          finished ? "" : "; " + s.batchesPending() + " batches still pending");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Graceful stop: stream ranges away, tell the cluster we leave, stop serving, then flush and close storage. */
  @Override
  public void close() {
    stop(true);
  }

  /**
   * Stop for a restart ({@link RestartRequest}): no leave and no streaming — the ranges stay where
   * they are, the cluster sees this node down for the seconds it is away (hints keep its writes),
   * and it comes back with its data; storage is flushed and closed as in {@link #close()}.
   */
  public void closeForRestart() {
    stop(false);
  }

  private synchronized void stop(boolean leave) {
    if (closed) {
      return;
    }
    closed = true;
    maintenance.shutdownNow();
    if (filesThread != null) {
      filesThread.shutdownNow();
    }
    if (metricsServer != null) {
      metricsServer.stop();
    }
    if (!leave) {
      log.info("stopping for a restart: staying a member (no leave, no range streaming)");
    } else if (cluster.liveMembers() > 1) {
      streamRangesAway();
      cluster.leave(3 * config.membership.gossipIntervalMillis);
      log.info("left the cluster");
    }
    transport.close();
    scripts.close(); // a stopping node ends the scripts it runs
    cluster.close();
    disk.close();
    storage.close();
    hintStorage.close();
    if (!config.memory) {
      new DownTimeGuard(config.dataDirPath()).noteRunning(System.currentTimeMillis());
    }
    log.info("node stopped; storage flushed");
  }
}
