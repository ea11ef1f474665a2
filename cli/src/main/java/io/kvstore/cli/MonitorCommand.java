package io.kvstore.cli;

import io.kvstore.node.config.HostPort;
import io.kvstore.statusserver.MonitorServer;
import io.kvstore.statusserver.MonitorSettings;
import io.kvstore.node.security.FrameAuthenticator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code ./kvstore monitor}: the status server with its live dashboard. */
@Command(
    name = "monitor",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Run the status server: a live dashboard, a JSON API and Prometheus metrics for a cluster.",
      "",
      "It learns the membership from any node (--join), and every --interval asks one random",
      "live node to start a collection round; the round spreads from node to node and every",
      "node reports to this server at a random moment inside --spread. Nodes that stop",
      "reporting are shown as not-responding. Give it the cluster's secret with",
      "--cluster-secret-file (or KVSTORE_CLUSTER_SECRET); --insecure only for --insecure nodes.",
      ""
    },
    footer = ExitCodes.HELP)
public final class MonitorCommand implements Callable<Integer> {
  @Option(names = "--join", paramLabel = "HOST:PORT", required = true,
      description = "A node of the cluster (repeatable; any live node will do).")
  List<String> join;

  @Option(names = "--http-port", defaultValue = "8080", description = "Dashboard port (default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--http-bind", defaultValue = "127.0.0.1",
      description = "Dashboard address (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String httpBind;

  @Option(names = "--udp-bind", defaultValue = "127.0.0.1:0", paramLabel = "HOST:PORT",
      description = "Where nodes send reports; must be reachable from them (default ${DEFAULT-VALUE}: any free port).")
  String udpBind;

  @Option(names = "--interval", defaultValue = "10s", converter = BenchCommand.DurationConverter.class,
      description = "Time between collection rounds (default ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--spread", converter = BenchCommand.DurationConverter.class,
      description = "Window over which nodes spread their reports (default: half the interval).")
  Duration spread;

  @Option(names = "--fanout", defaultValue = "2", description = "Members each node passes a round to (default ${DEFAULT-VALUE}).")
  int fanout;

  @Option(names = "--not-responding-after", converter = BenchCommand.DurationConverter.class,
      description = "Silence after which a node shows as not-responding (default: 2 intervals).")
  Duration notRespondingAfter;

  @Option(names = "--cluster-secret-file", paramLabel = "FILE",
      description = "The cluster's secret, e.g. any node's DATA_DIR/cluster-secret (default:"
          + " KVSTORE_CLUSTER_SECRET). Rounds and reports are authenticated with it.")
  java.nio.file.Path clusterSecretFile;

  @Option(names = "--insecure", description = "No secret: for a cluster of --insecure nodes only.")
  boolean insecure;

  @Override
  public Integer call() throws Exception {
    String secret =
        clusterSecretFile != null
            ? io.kvstore.node.config.ClusterSecret.read("cluster-secret-file", clusterSecretFile)
            : System.getenv(io.kvstore.node.config.ClusterSecret.ENV);
    if (insecure && (clusterSecretFile != null || (secret != null && !secret.isEmpty()))) {
      throw new CliException(ExitCodes.BAD_INPUT, "--insecure contradicts the cluster secret also given");
    }
    if (!insecure && (secret == null || secret.isEmpty())) {
      throw new CliException(ExitCodes.BAD_INPUT,
          "the status server needs the cluster's secret, or the nodes reject its rounds: pass"
              + " --cluster-secret-file FILE (any node's DATA_DIR/cluster-secret) or set "
              + io.kvstore.node.config.ClusterSecret.ENV + " (--insecure if the nodes run --insecure)");
    }
    MonitorServer server = MonitorServer.start(settings(join, httpBind, httpPort, udpBind, interval,
        spread, fanout, notRespondingAfter, secret));
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    System.err.printf("KVStore status server: http://%s:%d/ (Ctrl-C to stop)%n", httpBind, server.httpPort());
    stop.await();
    server.close();
    return ExitCodes.OK;
  }

  /** Validated settings, with the secret from KVSTORE_CLUSTER_SECRET. */
  static MonitorServer.Settings settings(
      List<String> join, String httpBind, int httpPort, String udpBind, Duration interval,
      Duration spread, int fanout, Duration notRespondingAfter) {
    return settings(join, httpBind, httpPort, udpBind, interval, spread, fanout, notRespondingAfter,
        System.getenv("KVSTORE_CLUSTER_SECRET"));
  }

  /**
   * Validated settings, shared with {@code ./kvstore cluster} and {@code node --monitor}, which
   * pass their nodes' secret (null: none).
   */
  static MonitorServer.Settings settings(
      List<String> join, String httpBind, int httpPort, String udpBind, Duration interval,
      Duration spread, int fanout, Duration notRespondingAfter, String secret) {
    // Nodes take part in at most four rounds a second (StatusGossip), so that a ROUND flood
    // cannot make them reflectors; faster rounds would be partly ignored.
    if (interval.toMillis() < 1_000) {
      throw new CliException(ExitCodes.BAD_INPUT, "--interval must be at least 1s");
    }
    Duration window = spread != null ? spread : interval.dividedBy(2);
    if (window.compareTo(interval) > 0) {
      throw new CliException(ExitCodes.BAD_INPUT, "--spread must not be longer than --interval");
    }
    if (fanout < 1 || fanout > 16) {
      throw new CliException(ExitCodes.BAD_INPUT, "--fanout must be 1-16");
    }
    if (httpPort < 0 || httpPort > 65_535) {
      throw new CliException(ExitCodes.BAD_INPUT, "--http-port must be 0-65535");
    }
    List<InetSocketAddress> seeds =
        join.stream().map(j -> HostPort.parse("--join", j).toSocketAddress()).toList();
    InetSocketAddress udpAddress = HostPort.parse("--udp-bind", udpBind, true).toSocketAddress();
    FrameAuthenticator auth =
        secret == null || secret.isEmpty() ? FrameAuthenticator.none() : FrameAuthenticator.withSecret(secret);
    Duration silence = notRespondingAfter != null ? notRespondingAfter : interval.multipliedBy(2);
    return new MonitorServer.Settings(
        seeds, httpBind, httpPort, udpAddress, interval, window, fanout, auth,
        MonitorSettings.defaults().withNotRespondingAfterMillis(silence.toMillis()));
  }
}
