package io.kvstore.statusserver;

import static io.kvstore.statusserver.Reports.member;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.monitor.OpsResultMetrics;
import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.ops.run.OperationResult;
import io.kvstore.node.ops.run.OperationState;
import io.kvstore.node.ops.run.RecentResults;
import io.kvstore.node.ops.run.RunnerStats;
import io.kvstore.node.runtime.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Operation results reach the view through ordinary reports, as nodes' OpsResultMetrics write them. */
class OperationsViewTest {
  static final String OP = "0123abcd" + "0".repeat(24);
  private final ManualClock clock = new ManualClock(1_700_000_000_000L);
  private ClusterView view = new ClusterView(clock, MonitorSettings.defaults());
  private long round;

  @BeforeEach
  void members() {
    view.onMembers(List.of(member("n1", 1, "alive", 1), member("n2", 2, "alive", 1), member("n3", 3, "alive", 1),
        member("n4", 4, "dead", 1)));
  }

  static OperationResult result(String id, String node, String targets, OperationState state, int exit, String tail) {
    return new OperationResult(id, node, "script", targets, state, exit, 1_234, tail, 0);
  }

  /** Node {@code n}'s report carrying {@code results} the way a node's OpsResultMetrics writes them. */
  static StatusReport reportWith(String node, int n, long round, Map<String, String> labels, OperationResult... results) {
    RecentResults recent = new RecentResults();
    for (OperationResult r : results) {
      recent.record(r);
    }
    List<Stat> stats = new ArrayList<>(Reports.report(node, n).stats());
    stats.addAll(OpsResultMetrics.of(recent, new RunnerStats(), () -> 0, () -> 0));
    return new StatusReport(node, Reports.address(n), round, 0, labels, stats);
  }

  private ReportOutcome send(String node, int n, OperationResult... results) {
    clock.advance(1_000);
    return view.onReport(reportWith(node, n, ++round, Map.of("rack", "r" + n % 2), results));
  }

  private static Map<String, String> states(OperationStatus op) {
    return op.nodes().stream().collect(Collectors.toMap(OperationStatus.NodeResult::node, OperationStatus.NodeResult::state));
  }

  @Test
  void perNodeResultsAndTheTargetedNodesStillWaiting() {
    assertThat(send("n1", 1, result(OP, "n1", "all", OperationState.DONE, 0, "ok\n")))
        .isEqualTo(ReportOutcome.ACCEPTED);
    send("n2", 2, result(OP, "n2", "all", OperationState.RUNNING, -1, ""));
    OperationStatus op = view.operations().get(0);
    assertThat(op.id()).isEqualTo("0123abcd");
    assertThat(op.kind()).isEqualTo("script");
    assertThat(op.targets()).isEqualTo("all");
    // n3 is targeted and live but has not reported it; the dead n4 is not waited for.
    assertThat(states(op)).containsExactlyInAnyOrderEntriesOf(Map.of("n1", "DONE", "n2", "RUNNING", "n3", "WAITING"));
    assertThat(op.counts()).containsEntry("DONE", 1L).containsEntry("WAITING", 1L);
    assertThat(op.nodes().get(0).tail()).isEmpty(); // lists carry no tails
    OperationStatus detail = view.operation(OP).orElseThrow();
    assertThat(detail.nodes().get(0).tail()).isEqualTo("ok\n");
    assertThat(detail.nodes().get(0).exit()).isZero();
    assertThat(detail.nodes().get(0).durationMillis()).isEqualTo(1_234);
    assertThat(view.operation("0123abcd")).isPresent();
    assertThat(view.operation("0123abc")).isEmpty();
    assertThat(view.operation("ffffffff")).isEmpty();
  }

  @Test
  void onlyNodesTheSelectorNamesAreWaitedFor() {
    send("n2", 2);
    send("n3", 3); // labels are learned from reports: a node never heard from matches no label
    send("n1", 1, result(OP, "n1", "rack=r1", OperationState.DONE, 0, ""));
    assertThat(states(view.operations().get(0))).containsOnlyKeys("n1", "n3"); // n2 is in rack r0
    String other = "99999999" + "0".repeat(24);
    send("n2", 2, result(other, "n2", "n2,n3", OperationState.DONE, 0, ""));
    assertThat(states(view.operation(other).orElseThrow())).containsExactlyInAnyOrderEntriesOf(
        Map.of("n2", "DONE", "n3", "WAITING"));
  }

  @Test
  void aTailALaterReportLeftOutIsKeptAndAFinalStateReplacesRunning() {
    send("n1", 1, result(OP, "n1", "all", OperationState.DONE, 3, "the tail\n"));
    // A later report without the tail (it did not fit the report's tail budget).
    clock.advance(1_000);
    StatusReport r = reportWith("n1", 1, ++round, Map.of(), result(OP, "n1", "all", OperationState.DONE, 3, "x"));
    List<Stat> withoutTail = r.stats().stream().filter(s -> !s.name().endsWith(".tail")).toList();
    view.onReport(new StatusReport("n1", r.address(), r.round(), 0, Map.of(), withoutTail));
    OperationStatus.NodeResult n1 = view.operation(OP).orElseThrow().nodes().get(0);
    assertThat(n1.tail()).isEqualTo("the tail\n");
    assertThat(n1.exit()).isEqualTo(3);
  }

  @Test
  void reportsOfNonMembersAndMalformedOpsStatsChangeNothing() {
    assertThat(view.onReport(reportWith("stranger", 9, 1, Map.of(), result(OP, "stranger", "all", OperationState.DONE, 0, ""))))
        .isEqualTo(ReportOutcome.NOT_A_MEMBER);
    assertThat(view.operations()).isEmpty();
    List<Stat> bad = new ArrayList<>(Reports.report("n1", 1).stats());
    bad.add(Stat.text("ops.NOTHEX00.state", "DONE"));
    bad.add(Stat.text("ops.0123abcd0.state", "DONE"));
    bad.add(Stat.gauge("ops.0123abcd.state", "", 1)); // a state that is no text
    bad.add(Stat.gauge("ops.0123abcd.exit", "", 0)); // no state at all
    assertThat(view.onReport(new StatusReport("n1", Reports.address(1), 5, 0, Map.of(), bad)))
        .isEqualTo(ReportOutcome.ACCEPTED);
    assertThat(view.operations()).isEmpty();
  }

  @Test
  void atMost64OperationsAreKeptTheOldestAreForgotten() {
    for (int i = 0; i < 70; i++) {
      send("n1", 1, result(String.format("%08x", i) + "0".repeat(24), "n1", "all", OperationState.DONE, 0, "t" + i));
    }
    List<OperationStatus> ops = view.operations();
    assertThat(ops).hasSize(OperationsTable.MAX_OPERATIONS);
    assertThat(ops.get(0).id()).isEqualTo("00000006");
    assertThat(view.operationsForgotten()).isEqualTo(6);
  }

  @Test
  void operationsCountAgainstTheMemoryBudgetTheOldestGoFirst() {
    send("n1", 1);
    long withoutOps = view.retainedBytes() + 2_000; // room for a slightly larger report
    long budget = withoutOps + 20_000;
    view = new ClusterView(clock, MonitorSettings.defaults().withMemoryBudgetBytes(budget));
    members();
    send("n1", 1);
    for (int i = 0; i < 8; i++) {
      OperationResult[] results = new OperationResult[16];
      for (int k = 0; k < 16; k++) {
        results[k] = result(String.format("%04x%04x", i, k) + "0".repeat(24), "n1", "all", OperationState.DONE, 0,
            "é".repeat(200) + i + k);
      }
      assertThat(send("n1", 1, results)).isEqualTo(ReportOutcome.ACCEPTED);
      assertThat(view.retainedBytes()).isLessThanOrEqualTo(budget);
    }
    assertThat(view.operationsForgotten()).isPositive();
    List<OperationStatus> kept = view.operations();
    assertThat(kept).isNotEmpty().hasSizeLessThan(OperationsTable.MAX_OPERATIONS);
    assertThat(kept.get(kept.size() - 1).id()).isEqualTo("0007000f"); // the newest stay
  }
}
