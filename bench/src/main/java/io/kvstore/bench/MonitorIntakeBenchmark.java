package io.kvstore.bench;

import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.statusserver.ClusterView;
import io.kvstore.statusserver.MemberInfo;
import io.kvstore.statusserver.MonitorSettings;
import io.kvstore.statusserver.ReportIntake;
import io.kvstore.statusserver.StatusHttpServer;
import io.kvstore.node.runtime.SystemClock;
import io.kvstore.node.security.FrameAuthenticator;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The status server's intake at scale: N simulated nodes (default 10,000) each send a report of
 * ~45 stats per round, through the real intake (authentication, bounded queue, decoding) into the
 * real cluster view, for several rounds; then the JSON API and the Prometheus scrape run over the
 * result. Prints reports accepted and dropped, time per round, and heap in use after a full GC.
 * Run under the heap cap being checked:
 *
 * <pre>java -Xmx256m -cp bench/target/benchmarks.jar io.kvstore.bench.MonitorIntakeBenchmark [nodes] [rounds]</pre>
 */
public final class MonitorIntakeBenchmark {
  private MonitorIntakeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    ClusterView view = new ClusterView(SystemClock.INSTANCE, MonitorSettings.defaults());
    ReportIntake intake = new ReportIntake(FrameAuthenticator.none(), 50_000, 64L << 20, view::onReport);
    List<MemberInfo> members = new ArrayList<>(nodes);
    for (int i = 0; i < nodes; i++) {
      members.add(new MemberInfo("node-" + i, address(i), "alive", 1));
    }
    view.onMembers(members);
    SplittableRandom random = new SplittableRandom(1);
    byte[] id = new byte[16];
    for (int round = 1; round <= rounds; round++) {
      long start = System.nanoTime();
      view.onRoundStarted(round);
      for (int i = 0; i < nodes; i++) {
        byte[] frame = StatusCodec.encodeReport(id, report(i, round, random));
        intake.offer(Unpooled.wrappedBuffer(frame));
        while (intake.queued() > 40_000) {
          Thread.onSpinWait(); // the nodes' spread window keeps the real intake far below this
        }
      }
      while (intake.queued() > 0) {
        Thread.sleep(1);
      }
      System.out.printf(
          "round %d: %,d reports in %d ms%n", round, nodes, (System.nanoTime() - start) / 1_000_000);
    }
    Thread.sleep(300);
    StatusHttpServer http = new StatusHttpServer(view, "127.0.0.1", 0).start();
    HttpClient client = HttpClient.newHttpClient();
    long apiBytes = get(client, http.port(), "/api/nodes");
    long metricsBytes = get(client, http.port(), "/metrics");
    System.gc();
    Thread.sleep(200);
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf(
        "%,d nodes x %d rounds: accepted %,d, dropped %,d, malformed %,d; /api/nodes %,d bytes,"
            + " /metrics %,d bytes; heap in use after GC %.1f MB (max %.0f MB)%n",
        nodes, rounds, intake.accepted.sum(), intake.dropped.sum(), intake.malformed.sum(), apiBytes,
        metricsBytes, heap / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
    http.stop();
    intake.close();
  }

  private static long get(HttpClient client, int port, String path) throws Exception {
    HttpResponse<byte[]> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + r.statusCode());
    }
    return r.body().length;
  }

  private static InetSocketAddress address(int i) {
    return new InetSocketAddress("127." + (i >> 16 & 0xFF) + "." + (i >> 8 & 0xFF) + "." + (i & 0xFF), 4000);
  }

  /** A report shaped like a real node's (the same stat names and count). */
  private static StatusReport report(int node, int round, SplittableRandom r) {
    List<Stat> stats = new ArrayList<>(45);
    stats.add(Stat.text("version", "0.1.0"));
    String[] gauges = {
      "uptime", "load.1m", "cpu.cores", "cpu.process", "cpu.system", "jvm.heap.used", "jvm.heap.max",
      "disk.free", "disk.used", "storage.bytes", "storage.live.bytes", "keys", "requests.put.rate",
      "requests.get.rate", "requests.remove.rate", "requests.rate", "requests.overloaded.rate",
      "requests.rejected.rate", "latency.p50", "latency.p99", "latency.p999", "membership.live"
    };
    for (String g : gauges) {
      stats.add(Stat.gauge(g, "", r.nextDouble() * 1000));
    }
    for (int i = 0; i < 22; i++) {
      stats.add(Stat.counter("custom.counter." + i, "events", round * 10 + i));
    }
    return new StatusReport(
        "node-" + node, address(node), round, System.currentTimeMillis(),
        Map.of("rack", "r" + (node % 40), "role", "storage"), stats);
  }
}
