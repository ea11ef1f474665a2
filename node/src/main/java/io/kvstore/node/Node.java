package io.kvstore.node;

import io.kvstore.node.config.ConfigException;
import io.kvstore.node.config.NodeConfig;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.RocksDbStorageEngine;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.node.time.SystemClock;
import io.kvstore.node.transport.InternalMessageHandler;
import io.kvstore.node.transport.NodeControl;
import io.kvstore.node.transport.SourceAllowList;
import io.kvstore.node.transport.TransportSettings;
import io.kvstore.node.transport.TransportStats;
import io.kvstore.node.transport.UdpTransport;
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

  private final NodeConfig config;
  private final StorageEngine storage;
  private final UdpTransport transport;
  private final ScheduledExecutorService maintenance;
  private volatile boolean closed;

  private Node(
      NodeConfig config,
      StorageEngine storage,
      UdpTransport transport,
      ScheduledExecutorService maintenance) {
    this.config = config;
    this.storage = storage;
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
    TransportSettings settings =
        new TransportSettings(
            new InetSocketAddress(config.bind, config.port),
            config.ioThreads,
            config.queueCapacity,
            config.batchSize,
            config.replyCacheValue(),
            REPLY_RETENTION_MILLIS,
            config.errorRepliesPerSecond,
            new SourceAllowList(config.adminFrom),
            config.sync);
    UdpTransport transport;
    try {
      transport =
          UdpTransport.start(
              settings, service, new ProcessControl(), InternalMessageHandler.NONE,
              new TransportStats());
    } catch (RuntimeException | InterruptedException e) {
      storage.close();
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
        () -> collectTombstones(storage, clock), 10, 10, TimeUnit.MINUTES);
    return new Node(config, storage, transport, maintenance);
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

  /** Graceful stop: stop serving, then flush and close storage. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    maintenance.shutdownNow();
    transport.close();
    storage.close();
    log.info("node stopped; storage flushed");
  }

  /** The process-level controls the transport exposes (GET_PID, SHUTDOWN). */
  private static final class ProcessControl implements NodeControl {
    private final int pid = (int) ProcessHandle.current().pid();

    @Override
    public int pid() {
      return pid;
    }

    @Override
    public int liveMembers() {
      return 1; // a single node; the cluster layer replaces this with its membership view
    }

    @Override
    public void haltNow() {
      // An announced crash: no shutdown hooks, no flush. Storage is as after kill -9.
      Runtime.getRuntime().halt(0);
    }
  }
}
