package io.kvstore.statusserver;

import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusReport;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/** Reports and members as a node would send them, for tests. */
final class Reports {
  private Reports() {}

  static InetSocketAddress address(int n) {
    return new InetSocketAddress("10.0." + n / 200 + "." + (11 + n % 200), 7000);
  }

  /**
   * Node {@code n}'s report in {@code round}; the values drift from round to round like real ones.
   */
  static StatusReport report(String id, int n, long round, double keys, double opsPerSecond) {
    double wave = Math.sin(round / 2.0 + n);
    return new StatusReport(
        id,
        address(n),
        round,
        0,
        Map.of("rack", "r" + n % 3),
        List.of(
            Stat.gauge("uptime", "s", 86_400 * n + 3_600 * (7 * n % 24) + 10 * round),
            Stat.text("version", "0.1.0"),
            Stat.gauge("load.1m", "", 0.5 + n % 4 + 0.3 * wave),
            Stat.gauge("jvm.heap.used", "bytes", 64e6 + n * 1e6 + 4e6 * (round % 8)),
            Stat.gauge("disk.free", "bytes", 40e9),
            Stat.gauge("disk.used", "bytes", 12e9 + n * 1e8),
            Stat.gauge("storage.live.bytes", "bytes", 2e9 + n * 1e7),
            Stat.gauge("keys", "keys", keys),
            Stat.gauge("requests.rate", "ops/s", opsPerSecond),
            Stat.gauge("requests.get.rate", "ops/s", opsPerSecond * 0.8),
            Stat.gauge("latency.p99", "us", 850 + n * 10 + 120 * wave),
            Stat.counter("requests.retransmissions", "requests", 12)));
  }

  static StatusReport report(String id, int n) {
    return report(id, n, 1, 1_000 * (n + 1), 100 * (n + 1));
  }

  /** Node {@code n}'s report in {@code round} saying it refused {@code rejected} frames so far. */
  static StatusReport rejecting(String id, int n, long round, double rejected) {
    StatusReport r = report(id, n, round, 1_000, 10);
    List<Stat> stats = new java.util.ArrayList<>(r.stats());
    stats.add(Stat.counter("internal.unauthenticated", "datagrams", rejected));
    return new StatusReport(id, r.address(), round, 0, r.labels(), stats);
  }

  static MemberInfo member(String id, int n, String state, long incarnation) {
    return new MemberInfo(id, address(n), state, incarnation);
  }
}
