package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvResult;
import io.kvstore.history.CheckResult;
import io.kvstore.history.History;
import io.kvstore.history.HistoryChecker;
import io.kvstore.history.Kind;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kvstore ops rollout} on 5 real nodes run by {@code ./kvstore cluster} (the supervisor
 * that starts a node exiting 75 again), under a mixed client load through every node: every node
 * is restarted (a new pid) one at a time, and the only failed requests are the documented
 * transient ones: sent to the node while it was being restarted (no reply, or 0x22 while it
 * settles), or 0x22 through another node while a replica was away (under 1%). Other failures
 * (a node starved of CPU on a shared machine) stay under 0.2% and are printed; the history checker
 * passes over every operation (no acknowledged write lost, no wrong value).
 */
class RollingRestartIT {
  private static final Pattern RESTARTING = Pattern.compile("^\\[\\d+/\\d+\\] \\S+ 127\\.0\\.0\\.1:(\\d+): restarting");
  private static final Pattern BACK = Pattern.compile("^\\[\\d+/\\d+\\] \\S+ 127\\.0\\.0\\.1:(\\d+): back in");
  private static final int NODES = 5;

  @TempDir Path dir;
  private LauncherProcess launcher;

  @AfterEach
  void stopEverything() throws Exception {
    if (launcher != null) {
      launcher.close();
    }
  }

  /**
   * Found that ./kvstore cluster restarted node 1 without seeds (it answered keys alone on a ring
   * of one: 2 and 22 lost writes in 2 of 5 runs); since the fix a restarted node joins through
   * another one.
   */
  @Test
  void everyNodeRestartsOneAtATimeUnderLoadWithOnlyTransientFailures() throws Exception {
    OperatorKey key = OperatorKeys.generate("rollout-it");
    OperatorKeys.save(key, dir.resolve("rollout-it"), false);
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, "ops:\n  trusted-keys: [" + dir.resolve("rollout-it.pub") + "]\n");
    int base = ClusterCommandIT.freeRange(NODES);
    launcher = LauncherProcess.start("--nodes", Integer.toString(NODES),
        "--base-port", Integer.toString(base), "--data-dir", dir.resolve("data").toString(),
        "--config", config.toString(), "--monitor-port", "0");
    Map<Integer, Long> firstPid = launcher.firstPidByPort;
    await("the cluster is ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
        .until(() -> launcher.text().contains("cluster ready") || !launcher.process.isAlive());
    assertThat(launcher.text()).contains("cluster ready: " + NODES + " members");

    // The rollout pushes a new config (--config FILE) and moves every node onto it.
    Path nextConfig = dir.resolve("node-v2.yaml");
    Files.writeString(nextConfig, Files.readString(config) + "labels:\n  config: v2\n");

    History history = new History(System::nanoTime, 2_000_000);
    // Per port: when a restart of it was announced and when it was back (plus the settle).
    Map<Integer, long[]> window = new ConcurrentHashMap<>();
    Load load = new Load(base, history, window);
    load.start();
    Thread.sleep(3_000);

    Process rollout = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
            "-jar", NodeProcess.jar().toString(), "ops", "rollout", "--key",
            dir.resolve("rollout-it.key").toString(), "--node", "127.0.0.1:" + base,
            "--settle", "6s", "--node-timeout", "90s", "--config", nextConfig.toString())
        .redirectErrorStream(true).start();
    List<String> rolloutOut = new CopyOnWriteArrayList<>();
    launcher.follow(rollout, line -> {
      rolloutOut.add(line);
      Matcher r = RESTARTING.matcher(line);
      if (r.find()) {
        window.put(Integer.parseInt(r.group(1)), new long[] {System.nanoTime(), Long.MAX_VALUE});
      }
      Matcher b = BACK.matcher(line);
      if (b.find()) {
        // The settle after "back" still lets hints and the rejoin's 0x22 answers end.
        window.get(Integer.parseInt(b.group(1)))[1] = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
      }
    });
    assertThat(rollout.waitFor(8, TimeUnit.MINUTES)).as("the rollout ends").isTrue();
    int exit = rollout.exitValue();
    long rolloutNanos = System.nanoTime();
    Thread.sleep(2_000);
    load.stop();
    String text = String.join("\n", rolloutOut);
    System.out.println("rollout output:\n" + text);
    assertThat(exit).as("ops rollout exit code; output:%n%s", text).isZero();
    assertThat(text).contains("rolling restart of " + NODES + " nodes done in");

    // Every node runs as a new process now, started with the pushed config.
    for (int i = 0; i < NODES; i++) {
      try (KvClient c = KvClient.open(KvClientConfig.of("127.0.0.1:" + (base + i)))) {
        KvResult pid = c.blocking().getPid();
        assertThat(pid.isSuccess()).isTrue();
        assertThat((long) pid.intValue()).as("node on port %d restarted", base + i)
            .isNotEqualTo(firstPid.get(base + i));
        String cmdline = Files.readString(Path.of("/proc", Integer.toString(pid.intValue()), "cmdline")).replace('\0', ' ');
        Path expected = dir.resolve("data").resolve("node-" + (i + 1)).resolve("ops").resolve("files")
            .resolve("node-v2.yaml").toAbsolutePath().normalize();
        assertThat(cmdline).as("node on port %d runs with the pushed config", base + i)
            .contains("--config " + expected);
      }
    }
    System.out.printf("rolling restart under load: %d requests, %d failed while their node restarted"
        + " (transient), %d answered 0x22 through another node while a replica restarted, %d failed"
        + " otherwise: %s%n", load.total.get(), load.transientFailures.get(),
        load.unavailableElsewhere.get(), load.otherFailures.size(), String.join("\n  ", load.otherFailures.stream().limit(10).toList()));
    assertThat(load.total.get()).as("requests during the rollout").isGreaterThan(1_000);
    // On an idle machine none; on a shared 2-core one a node starved of CPU for a second (a JVM
    // starting beside it) misses a few replies or answers 0x22 (BENCHMARKS.md). Bounded, never a
    // wrong answer (the history checker below), and printed above.
    assertThat(load.otherFailures.size()).as("failed requests to nodes that were not being restarted")
        .isLessThanOrEqualTo((int) (load.total.get() / 500));
    assertThat(load.unavailableElsewhere.get()).as("0x22 through nodes that were not restarting")
        .isLessThan(load.total.get() / 100);
    CheckResult result = HistoryChecker.check(history);
    System.out.println("history: " + result.summary());
    if (!result.passed()) {
      printMembershipLogs(base);
    }
    assertThat(result.passed()).as("history checker (process 10 * thread + node, node 0 at port %d,"
        + " times System.nanoTime ms; restart windows %s):%n%s", base, load.windowsInNanoMillis(),
        result.report()).isTrue();
    assertThat(rolloutNanos).isPositive();
  }

  /** What each node logged about members, joining and stopping: what a violation needs. */
  private void printMembershipLogs(int base) throws java.io.IOException {
    Pattern relevant = Pattern.compile("member |joined|answering|stopping|stopped|started|settl|rebalanc|hint");
    for (int i = 0; i < NODES; i++) {
      Path log = dir.resolve("data").resolve("node-" + (i + 1)).resolve("node.log");
      if (!Files.exists(log)) {
        continue;
      }
      System.out.println("---- node-" + (i + 1) + " (port " + (base + i) + ") " + log);
      try (var lines = Files.lines(log)) {
        lines.filter(l -> relevant.matcher(l).find()).limit(400).forEach(System.out::println);
      }
    }
  }

  /** Four threads of PUT/GET/REMOVE to random nodes, ~400 requests/s, recorded into the history. */
  private static final class Load {
    private final int base;
    private final History history;
    private final Map<Integer, long[]> window;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    final AtomicLong total = new AtomicLong();
    final AtomicLong transientFailures = new AtomicLong();
    final AtomicLong unavailableElsewhere = new AtomicLong();
    final List<String> otherFailures = new CopyOnWriteArrayList<>();
    private final long t0 = System.nanoTime();

    private boolean duringSomeRestart(long started, long ended) {
      return window.values().stream().anyMatch(w -> ended >= w[0] && started <= w[1]);
    }

    /** Restart windows per port on the history's clock (System.nanoTime in ms). */
    String windowsInNanoMillis() {
      StringBuilder b = new StringBuilder();
      window.forEach((port, w) -> b.append(port).append("=[").append(w[0] / 1_000_000).append(", ")
          .append(w[1] == Long.MAX_VALUE ? "open" : String.valueOf(w[1] / 1_000_000)).append("] "));
      return b.toString();
    }

    private String windows() {
      StringBuilder b = new StringBuilder();
      window.forEach((port, w) -> b.append(port).append("=[+").append((w[0] - t0) / 1_000_000).append(",+")
          .append(w[1] == Long.MAX_VALUE ? "open" : String.valueOf((w[1] - t0) / 1_000_000)).append("] "));
      return b.toString();
    }

    Load(int base, History history, Map<Integer, long[]> window) {
      this.base = base;
      this.history = history;
      this.window = window;
    }

    void start() {
      for (int t = 0; t < 4; t++) {
        int process = t;
        Thread w = new Thread(() -> run(process), "rollout-load-" + t);
        w.setDaemon(true);
        threads.add(w);
        w.start();
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }

    private void run(int process) {
      Random random = new Random(process);
      List<KvClient> clients = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        clients.add(KvClient.open(KvClientConfig.builder().node("127.0.0.1:" + (base + i))
            .timeout(Duration.ofMillis(200)).retries(2).build()));
      }
      try {
        while (running.get()) {
          int node = random.nextInt(NODES);
          byte[] key = RawUdp.key("rollout-key-" + random.nextInt(200));
          int dice = random.nextInt(100);
          Kind kind = dice < 40 ? Kind.PUT : dice < 90 ? Kind.GET : Kind.REMOVE;
          long started = System.nanoTime();
          // "Process" 10 * thread + node in the history, so that a violation names the node.
          int code = MixedLoad.recorded(history, 10 * process + node, clients.get(node), kind, key);
          total.incrementAndGet();
          boolean failed = code != 0x00 && code != 0x01;
          if (failed) {
            long[] w = window.get(base + node);
            long ended = System.nanoTime();
            if (w != null && ended >= w[0] && started <= w[1]) {
              transientFailures.incrementAndGet(); // sent to the node while it restarted
            } else if (code == 0x22 && duringSomeRestart(started, ended)) {
              // Coordinated elsewhere while one replica was away: the other two did not both
              // answer within timeout-ms (a busy machine); 0x22 says "retry", nothing is lost.
              unavailableElsewhere.incrementAndGet();
            } else {
              otherFailures.add(kind + " via port " + (base + node) + " -> "
                  + (code < 0 ? "no reply" : String.format("0x%02x", code)) + " from +"
                  + (started - t0) / 1_000_000 + " to +" + (ended - t0) / 1_000_000 + " ms; windows "
                  + windows());
            }
          }
          TimeUnit.MILLISECONDS.sleep(10);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        clients.forEach(KvClient::close);
      }
    }
  }
}
