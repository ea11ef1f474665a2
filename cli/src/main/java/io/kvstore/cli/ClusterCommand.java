package io.kvstore.cli;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvException;
import io.kvstore.node.RestartRequest;
import io.kvstore.node.config.ClusterSecret;
import io.kvstore.statusserver.MonitorServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code ./kvstore cluster}: a local cluster of node processes on loopback, for trying it out. */
@Command(
    name = "cluster",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Run a local cluster: N node processes on 127.0.0.1 joined through the first.",
      "",
      "Prints each node's address, pid, data directory and log file, waits until every node sees",
      "all the others, and stops them all gracefully on Ctrl-C. Kill single nodes (kill -9 PID or",
      "./kvstore shutdown --node ...) to watch the others detect it.",
      "",
      "All nodes and the status server share one cluster secret, created in DIR/cluster-secret.",
      "The wait for the nodes grows with their number (30 s + 3 s a node) and shows progress; if",
      "they have not all joined by then, every node is stopped and the command exits 5, naming",
      "the missing ones.",
      "",
      "A node that exits with code 75 (it was stopped for a restart: DATA_DIR/restart-requested,",
      "as a rolling restart leaves it) is started again, with the jar and the config that file",
      "names if any.",
      ""
    },
    footer = ExitCodes.HELP)
public final class ClusterCommand implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "3", paramLabel = "N",
      description = "Number of nodes (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--base-port", defaultValue = "4000", paramLabel = "PORT",
      description = "Port of the first node; the others follow (default ${DEFAULT-VALUE}).")
  int basePort;

  @Option(names = "--data-dir", defaultValue = "./cluster-data", paramLabel = "DIR",
      description = "Parent of the nodes' data directories (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--memory", description = "Nodes keep data in memory only.")
  boolean memory;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration for every node.")
  Path config;

  @Option(names = "--monitor-port", defaultValue = "8080", paramLabel = "PORT",
      description = "Dashboard of the status server run alongside (default ${DEFAULT-VALUE}; 0: none).")
  int monitorPort;

  @Option(names = "--monitor-interval", defaultValue = "5s", converter = BenchCommand.DurationConverter.class,
      description = "Status collection interval (default ${DEFAULT-VALUE}).")
  Duration monitorInterval;

  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final List<Path> jars = new ArrayList<>();
  /** Each node's --config (null: none), replaced by the one a restart request names. */
  private final List<Path> configs = new ArrayList<>();
  private Path secretFile;
  private volatile boolean stopping;

  /** One secret for every node of this cluster, kept beside their data (0600) and reused. */
  private static Path clusterSecretFile(Path dataDir) {
    Path file = dataDir.resolve(ClusterSecret.FILE_NAME).toAbsolutePath().normalize();
    if (!Files.exists(file)) {
      ClusterSecret.write(file, ClusterSecret.generate());
    }
    ClusterSecret.read("cluster-secret-file", file);
    return file;
  }

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 200) {
      throw new CliException(ExitCodes.BAD_INPUT, "--nodes must be 1-200, got " + nodes);
    }
    if (basePort < 1 || basePort + nodes - 1 > 65_535) {
      throw new CliException(ExitCodes.BAD_INPUT, "--base-port leaves no room for " + nodes + " ports");
    }
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
    Files.createDirectories(dataDir);
    secretFile = clusterSecretFile(dataDir);
    System.out.printf("cluster secret: %s (another node joins with --join 127.0.0.1:%d"
        + " --cluster-secret-file %s)%n", secretFile, basePort, secretFile);
    System.out.printf("%-6s %-16s %-8s %-28s %s%n", "NODE", "ADDRESS", "PID", "DATA", "LOG");
    for (int i = 1; i <= nodes; i++) {
      Path nodeConfig = config == null ? null : config.toAbsolutePath();
      Process p = startNode(i, ownJar(), nodeConfig, false);
      synchronized (this) {
        processes.add(p);
        jars.add(ownJar());
        configs.add(nodeConfig);
      }
      if (i == 1) {
        awaitAlive(basePort, p);
      }
    }
    awaitMembers();
    Thread supervisor = new Thread(this::superviseRestarts, "restart-supervisor");
    supervisor.setDaemon(true);
    supervisor.start();
    MonitorServer status = null;
    if (monitorPort > 0) {
      status =
          MonitorServer.start(
              MonitorCommand.settings(
                  List.of("127.0.0.1:" + basePort), "127.0.0.1", monitorPort, "127.0.0.1:0",
                  monitorInterval, null, 2, null, ClusterSecret.read("cluster-secret-file", secretFile)));
      System.out.printf("status server: http://127.0.0.1:%d/%n", status.httpPort());
    }
    System.out.println("Ctrl-C stops every node.");
    stop.await();
    System.out.println("stopping " + processes.size() + " nodes...");
    if (status != null) {
      status.close();
    }
    stopAll();
    return ExitCodes.OK;
  }

  /** Starts again, every 200 ms, each node that exited asking for a restart (exit code 75). */
  private void superviseRestarts() {
    while (!stopping) {
      for (int i = 1; i <= nodes; i++) {
        try {
          restartIfAsked(i);
        } catch (Exception e) {
          System.out.printf("node-%d asked for a restart that failed: %s%n", i, e.getMessage());
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void restartIfAsked(int index) throws Exception {
    if (stopping) {
      return;
    }
    Process p = processes.get(index - 1);
    if (p.isAlive() || p.exitValue() != RestartRequest.EXIT_CODE) {
      return;
    }
    Path dir = nodeDir(index);
    RestartRequest request = new RestartRequest(dir);
    Path jar = jars.get(index - 1);
    Path nodeConfig = configs.get(index - 1);
    if (request.pending()) {
      try {
        RestartRequest.Next named = request.next();
        jar = named.jar().orElse(jar);
        nodeConfig = named.config().orElse(nodeConfig);
      } catch (IllegalArgumentException e) {
        System.out.printf("node-%d: %s; starting it with %s%s%n", index, e.getMessage(), jar,
            nodeConfig == null ? "" : " and " + nodeConfig);
      }
      request.clear();
    }
    Process next = startNode(index, jar, nodeConfig, true);
    processes.set(index - 1, next);
    jars.set(index - 1, jar);
    configs.set(index - 1, nodeConfig);
    System.out.printf("node-%d restarted as asked (exit code %d): pid %d, jar %s%s%n",
        index, RestartRequest.EXIT_CODE, next.pid(), jar, nodeConfig == null ? "" : ", config " + nodeConfig);
  }

  private Path nodeDir(int index) {
    return dataDir.resolve("node-" + index).toAbsolutePath().normalize();
  }

  /**
   * Starts node {@code index}: every node but the first joins through the first; a node started
   * again joins through another node, the first too — without seeds it would start a cluster of
   * its own and answer keys alone until gossip found it (a rolling restart lost writes so).
   */
  private Process startNode(int index, Path jar, Path nodeConfig, boolean again) throws Exception {
    int port = basePort + index - 1;
    Path dir = nodeDir(index);
    Files.createDirectories(dir);
    Path log = dir.resolve("node.log");
    if (logs.size() < index) {
      logs.add(log);
    }
    List<String> cmd = new ArrayList<>(javaCommand(jar));
    cmd.addAll(List.of("node", "--port", Integer.toString(port), "--data-dir", dir.toString(),
        "--cluster-secret-file", secretFile.toString()));
    if (memory) {
      cmd.add("--memory");
    }
    if (nodeConfig != null) {
      cmd.addAll(List.of("--config", nodeConfig.toString()));
    }
    if (index > 1) {
      cmd.addAll(List.of("--join", "127.0.0.1:" + basePort));
    } else if (again && nodes > 1) {
      cmd.addAll(List.of("--join", "127.0.0.1:" + (basePort + 1)));
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    System.out.printf(
        "%-6s %-16s %-8d %-28s %s%n", "node-" + index, "127.0.0.1:" + port, p.pid(), dir, log);
    return p;
  }

  /** The jar that runs this command. */
  private static Path ownJar() throws Exception {
    return new File(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toPath();
  }

  /** The same java that runs this command, on {@code jar}, with the node's memory limits. */
  private static List<String> javaCommand(Path jar) {
    String java = ProcessHandle.current().info().command().orElse("java");
    return List.of(java, "-Xmx64m", "-Xss512k", "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC",
        "-jar", jar.toString());
  }

  private void awaitAlive(int port, Process p) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (KvClient client = KvClient.open(KvClientConfig.of("127.0.0.1:" + port))) {
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new CliException(
              ExitCodes.FAILURE, "node-1 exited with " + p.exitValue() + "; see its log file");
        }
        try {
          if (client.blocking().isAlive().isSuccess()) {
            return;
          }
        } catch (KvException e) {
          // not up yet
        }
      }
    }
    throw new CliException(ExitCodes.FAILURE, "node-1 did not start within 30 s; see its log file");
  }

  /**
   * Waits until node 1 sees every node, printing progress; the wait grows with the number of
   * nodes. If they do not all join in time, stops every node and fails naming the missing ones.
   */
  private void awaitMembers() throws Exception {
    try (KvClient client = KvClient.open(KvClientConfig.of("127.0.0.1:" + basePort))) {
      ClusterFormation formation =
          new ClusterFormation(
              nodes, basePort, () -> livePorts(client), this::exitOf, System::nanoTime,
              Thread::sleep, System.out);
      if (!formation.await()) {
        stopAll();
        throw new CliException(ExitCodes.FAILURE, formation.failure());
      }
    }
    new ServingProbe().await(basePort, nodes, 30, System.out);
    System.out.printf("cluster ready: %d members. Try: ./kvstore put k v --node 127.0.0.1:%d%n",
        nodes, basePort + nodes - 1);
  }

  private static java.util.Set<Integer> livePorts(KvClient client) {
    try {
      java.util.Set<Integer> ports = new java.util.HashSet<>();
      for (io.kvstore.client.MemberList.Entry m : client.blocking().listAllMembers()) {
        if (m.state().equals("alive")) {
          ports.add(m.address().getPort());
        }
      }
      return ports;
    } catch (KvException e) {
      return java.util.Set.of(); // node 1 busy or restarting: ask again
    }
  }

  /** Null while node {@code index}'s process runs, else how it ended. */
  private synchronized String exitOf(int index) {
    Process p = processes.get(index - 1);
    return p.isAlive() ? null : "exited with code " + p.exitValue() + "; see " + logs.get(index - 1);
  }

  private synchronized void stopAll() {
    stopping = true;
    for (Process p : processes) {
      p.destroy(); // SIGTERM: each node leaves the cluster and flushes its storage
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
    processes.clear();
  }
}
