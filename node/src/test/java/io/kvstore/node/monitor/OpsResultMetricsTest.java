package io.kvstore.node.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.ops.run.OperationResult;
import io.kvstore.node.ops.run.OperationState;
import io.kvstore.node.ops.run.RecentResults;
import io.kvstore.node.ops.run.RunnerStats;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OpsResultMetricsTest {
  private static String id(int i) {
    return String.format("%08x", 0xa0000000L + i) + "0".repeat(24);
  }

  private static OperationResult result(int i, OperationState state, String tail) {
    return new OperationResult(id(i), "node-1", "script", "label:rack=" + "r".repeat(300), state, i, 1000L + i,
        tail, 7);
  }

  private static Map<String, Stat> byName(List<Stat> stats) {
    return stats.stream().collect(Collectors.toMap(Stat::name, s -> s));
  }

  @Test
  void eachHeldResultBecomesNamedStats() {
    RecentResults results = new RecentResults();
    results.record(result(1, OperationState.RUNNING, ""));
    results.record(result(1, OperationState.DONE, "hello\n"));
    RunnerStats runner = new RunnerStats();
    runner.refusedBusy.add(3);
    Map<String, Stat> stats = byName(OpsResultMetrics.of(results, runner, () -> 2, () -> 1));
    assertThat(stats.get("ops.a0000001.state").text()).isEqualTo("DONE");
    assertThat(stats.get("ops.a0000001.kind").text()).isEqualTo("script");
    assertThat(stats.get("ops.a0000001.targets").text()).hasSize(200).startsWith("label:rack=r");
    assertThat(stats.get("ops.a0000001.exit").value()).isEqualTo(1);
    assertThat(stats.get("ops.a0000001.duration").value()).isEqualTo(1001);
    assertThat(stats.get("ops.a0000001.truncated").value()).isEqualTo(7);
    assertThat(stats.get("ops.a0000001.tail").text()).isEqualTo("hello\n");
    assertThat(stats.get("ops.refused.busy").value()).isEqualTo(3);
    assertThat(stats.get("ops.running").value()).isEqualTo(2);
    assertThat(stats.get("ops.queued").value()).isEqualTo(1);
  }

  @Test
  void onlyTheLast16AreHeldAndTheirStatsFitAFullReport() {
    RecentResults results = new RecentResults();
    for (int i = 0; i < 20; i++) {
      results.record(result(i, OperationState.DONE, "é".repeat(1_500) + "end " + i));
    }
    assertThat(results.snapshot()).hasSize(16);
    assertThat(results.forgotten()).isEqualTo(4);
    List<Stat> ops = OpsResultMetrics.of(results, new RunnerStats(), () -> 0, () -> 0);
    Map<String, Stat> named = byName(ops);
    assertThat(named).doesNotContainKey("ops.a0000003.state").containsKey("ops.a0000004.state");
    // Tails: at most 1,000 characters each, newest first within the budget; the end is kept.
    Stat newest = named.get("ops.a0000013.tail");
    assertThat(newest.text()).hasSize(OpsResultMetrics.TAIL_CHARS).endsWith("end 19");
    int tailBytes = ops.stream().filter(s -> s.name().endsWith(".tail"))
        .mapToInt(s -> s.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
    assertThat(tailBytes).isLessThanOrEqualTo(OpsResultMetrics.TAIL_BUDGET_BYTES);
    assertThat(named).doesNotContainKey("ops.a0000004.tail");

    // A node reports ~90 built-in stats today; with 40 more from other subsystems, every
    // operation stat must still fit one report (stats beyond 16 KiB would be left out).
    List<Stat> report = new ArrayList<>();
    for (int i = 0; i < 130; i++) {
      report.add(Stat.counter("replication.replica.failures." + i, "operations", i));
    }
    report.addAll(ops);
    byte[] frame = StatusCodec.encodeReport(new byte[16], new StatusReport("node-1",
        new InetSocketAddress("127.0.0.1", 4000), 1, 2, Map.of("rack", "r1"), report));
    StatusReport decoded = StatusCodec.decodeReport(
        ByteBuffer.wrap(frame, InternalFrame.HEADER, frame.length - InternalFrame.HEADER));
    assertThat(decoded.stats()).hasSize(report.size());
  }
}
