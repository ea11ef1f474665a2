package io.kvstore.cli;

import io.kvstore.node.Node;
import io.kvstore.node.RestartRequest;
import io.kvstore.node.config.HostPort;
import io.kvstore.node.config.NodeConfig;
import io.kvstore.node.config.NodeConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code ./kvstore node}: runs one node in the foreground until Ctrl-C or SIGTERM. */
@Command(
    name = "node",
    sortOptions = false,
    description = {
      "Run a KVStore node in the foreground.",
      "",
      "With no options: UDP port 4000 on 127.0.0.1, data in ./data (RocksDB), heap capped at",
      "64 MB by the launcher. Options override the --config file, which overrides the defaults.",
      "Ctrl-C or SIGTERM stops it gracefully (storage flushed, exit code 0); the SHUTDOWN",
      "command crashes it on purpose, as kill -9 would. If DATA_DIR/restart-requested exists,",
      "SIGTERM stops it for a restart instead: it stays a member (no leave, no streaming) and",
      "exits 75, which ./kvstore cluster (or systemd: RestartForceExitStatus=75) takes as",
      "\"start it again\", with the jar the file names, if any (docs/OPERATIONS.md).",
      ""
    },
    mixinStandardHelpOptions = true,
    footer = ExitCodes.HELP)
public final class NodeCommand implements Callable<Integer> {
  @Option(names = "--port", paramLabel = "PORT", description = "UDP port (default 4000).")
  Integer port;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces).")
  String bind;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default ./data).")
  Path dataDir;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path configFile;

  @Option(
      names = "--join",
      paramLabel = "HOST:PORT",
      description = "Seed node to join through (repeatable).")
  List<String> join;

  @Option(
      names = "--cluster-secret-file",
      paramLabel = "FILE",
      description =
          "File with the cluster secret, needed with --join: e.g. the first node's"
              + " DATA_DIR/cluster-secret. Default: KVSTORE_CLUSTER_SECRET, else"
              + " DATA_DIR/cluster-secret (created on first start).")
  Path clusterSecretFile;

  @Option(
      names = "--insecure",
      description = "Accept unauthenticated internal traffic (anyone reaching the port can change membership).")
  boolean insecure;

  @Option(names = "--memory", description = "Keep data in memory only (lost when the node stops).")
  boolean memory;

  @Option(names = "--sync", description = "fsync every write before acknowledging it.")
  boolean sync;

  @Option(names = "--max-keys", paramLabel = "N", description = "Key quota (default unlimited).")
  Long maxKeys;

  @Option(
      names = "--max-bytes",
      paramLabel = "SIZE",
      description = "Quota on bytes of keys and values, e.g. 64MB (default unlimited).")
  String maxBytes;

  @Option(
      names = "--min-free-disk",
      paramLabel = "SIZE",
      description = "PUT answers 'out of space' below this much free disk (default 256MB).")
  String minFreeDisk;

  @Option(
      names = "--admin-from",
      paramLabel = "CIDR",
      description = "Sources allowed SHUTDOWN and WIPEOUT (repeatable; default loopback).")
  List<String> adminFrom;

  @Option(
      names = "--allow-clients",
      paramLabel = "CIDR",
      description =
          "Sources the node answers at all (repeatable; others get nothing). Default: loopback"
              + " for a loopback bind, else loopback and the private subnets of the bound"
              + " interfaces.")
  List<String> allowClients;

  @Option(
      names = "--trusted-clients",
      paramLabel = "CIDR",
      description = "Sources whose replies are not held to the reply budget (repeatable).")
  List<String> trustedClients;

  @Option(
      names = "--reply-budget",
      paramLabel = "SIZE",
      description = "Reply bytes per second per source address, beyond small replies (default 4MB).")
  String replyBudget;

  @Option(
      names = "--reply-burst",
      paramLabel = "SIZE",
      description = "Reply bytes a source may get at once before the budget applies (default 4MB).")
  String replyBurst;

  @Option(names = "--io-threads", paramLabel = "N", description = "Event loops (default: cores, at most 4).")
  Integer ioThreads;

  @Option(
      names = "--busy-poll",
      description =
          "Event loops spin on the socket instead of sleeping (lower latency; keeps one core per"
              + " event loop busy, even idle: use with --io-threads below the core count). Off by"
              + " default; native epoll only.")
  boolean busyPoll;

  @Option(
      names = "--idle-spin-us",
      paramLabel = "MICROS",
      description =
          "Without --busy-poll: how long an event loop keeps polling after its last request before"
              + " it sleeps (default " + NodeConfig.DEFAULT_IDLE_SPIN_MICROS + "; 0 sleeps at once;"
              + " at most 10000). Saves the wake-up of a sleeping thread between requests under"
              + " load; an idle node still sleeps.")
  Integer idleSpinMicros;

  @Option(
      names = "--queue-capacity",
      paramLabel = "N",
      description = "Requests queued per event loop before answering 0x03 overload (default 4096).")
  Integer queueCapacity;

  @Option(
      names = "--reply-cache",
      paramLabel = "SIZE",
      description = "Off-heap memory of the at-most-once reply cache (default 96MB).")
  String replyCache;

  @Option(names = "--monitor", description = "Also run the status server (dashboard) in this process.")
  boolean monitor;

  @Option(names = "--monitor-http-port", paramLabel = "PORT",
      description = "Dashboard port with --monitor (default 8080).")
  Integer monitorHttpPort;

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "Serve this node's Prometheus metrics at http://BIND:PORT/metrics (the --bind address).")
  Integer httpPort;

  @Option(names = "--label", paramLabel = "KEY=VALUE",
      description = "Static label for status reports, e.g. rack=r1 (repeatable).")
  java.util.Map<String, String> labels;

  @Override
  public Integer call() throws Exception {
    NodeConfig config = NodeConfigLoader.load(configFile);
    applyFlags(config);
    config.validate();
    RestartRequest leftOver = new RestartRequest(config.dataDirPath());
    if (!config.memory && leftOver.pending()) {
      System.err.println("removing " + leftOver.file() + ": a restart request from before this start");
      leftOver.clear();
    }
    Node node = Node.start(config);
    io.kvstore.statusserver.MonitorServer status = null;
    if (config.monitor) {
      io.kvstore.statusserver.MonitorServer.Settings monitorSettings =
          MonitorCommand.settings(
              List.of(new HostPort(config.bind, config.port).toString()), "127.0.0.1",
              config.monitorHttpPort, config.bind + ":0", Duration.ofSeconds(10), null, 2, null,
              node.clusterSecret().secret());
      // In the node's own heap: an eighth for the status server's view, the rest stays the node's.
      status =
          io.kvstore.statusserver.MonitorServer.start(
              monitorSettings.withView(
                  monitorSettings.view().withMemoryBudgetBytes(Runtime.getRuntime().maxMemory() / 8)));
      System.err.printf("status server: http://127.0.0.1:%d/%n", status.httpPort());
    }
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    System.err.printf(
        "KVStore node listening on udp %s (pid %d, started in %d ms), %s. Ctrl-C to stop.%n",
        new HostPort(config.bind, config.port),
        ProcessHandle.current().pid(),
        java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime(),
        config.memory ? "data in memory only" : "data in " + config.dataDirPath().toAbsolutePath());
    stop.await();
    if (status != null) {
      status.close();
    }
    RestartRequest restart = new RestartRequest(config.dataDirPath());
    if (!config.memory && restart.pending()) {
      System.err.println("stopping for a restart (" + restart.file() + "): flushing storage,"
          + " staying a member; exit code " + RestartRequest.EXIT_CODE + " asks the supervisor to start it again");
      node.closeForRestart();
      return RestartRequest.EXIT_CODE;
    }
    System.err.println("stopping: flushing storage...");
    node.close();
    return ExitCodes.OK;
  }

  private void applyFlags(NodeConfig c) {
    if (port != null) {
      c.port = port;
    }
    if (bind != null) {
      c.bind = bind;
    }
    if (dataDir != null) {
      c.dataDir = dataDir.toString();
    }
    if (join != null) {
      c.seeds = join;
    }
    if (clusterSecretFile != null) {
      c.clusterSecretFile = clusterSecretFile.toString();
    }
    c.insecure |= insecure;
    c.memory |= memory;
    c.sync |= sync;
    if (maxKeys != null) {
      c.maxKeys = maxKeys;
    }
    if (maxBytes != null) {
      c.maxBytes = maxBytes;
    }
    if (minFreeDisk != null) {
      c.minFreeDisk = minFreeDisk;
    }
    if (adminFrom != null) {
      c.adminFrom = adminFrom;
    }
    if (allowClients != null) {
      c.allowClients = allowClients;
    }
    if (trustedClients != null) {
      c.trustedClients = trustedClients;
    }
    if (replyBudget != null) {
      c.replyBudget = replyBudget;
    }
    if (replyBurst != null) {
      c.replyBurst = replyBurst;
    }
    if (ioThreads != null) {
      c.ioThreads = ioThreads;
    }
    c.busyPoll |= busyPoll;
    if (idleSpinMicros != null) {
      c.idleSpinMicros = idleSpinMicros;
    }
    if (queueCapacity != null) {
      c.queueCapacity = queueCapacity;
    }
    if (replyCache != null) {
      c.replyCache = replyCache;
    }
    c.monitor |= monitor;
    if (monitorHttpPort != null) {
      c.monitorHttpPort = monitorHttpPort;
    }
    if (httpPort != null) {
      c.httpPort = httpPort;
    }
    if (labels != null) {
      c.labels.putAll(labels);
    }
  }
}
