package io.kvstore.statusserver;

import static io.kvstore.statusserver.Reports.member;
import static io.kvstore.statusserver.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.runtime.ManualClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The view's bounds: members beyond max-nodes, reports from outside the membership or above the
 * report limits, and its memory budget (estimated, and checked against the heap really kept).
 */
class ClusterViewBoundsTest {
  private static final long TIMEOUT = 25_000;

  private final ManualClock clock = new ManualClock(java.time.Instant.parse("2026-03-01T12:00:00Z").toEpochMilli());
  private final ClusterView view = new ClusterView(clock, MonitorSettings.defaults());

  private NodeStatus node(String id) {
    return view.node(id).orElseThrow();
  }

  @Test
  void refusesNewMembersBeyondMaxNodesAndCountsThem() {
    ClusterView small =
        new ClusterView(clock, new MonitorSettings(TIMEOUT, 10, 2, List.of("keys")));
    small.onMembers(
        List.of(member("n1", 1, "alive", 1), member("n2", 2, "alive", 1), member("n3", 3, "alive", 1)));

    assertThat(small.nodes()).extracting(NodeStatus::id).containsExactly("n1", "n2");
    assertThat(small.membersRefused()).isEqualTo(1);
    assertThat(small.onReport(report("n3", 3))).isEqualTo(ReportOutcome.NOT_A_MEMBER);
    assertThat(small.onReport(report("n2", 2))).isEqualTo(ReportOutcome.ACCEPTED);
  }

  @Test
  void aDepartedNodeIsForgottenToMakeRoomForANewMember() {
    ClusterView small =
        new ClusterView(clock, new MonitorSettings(TIMEOUT, 10, 2, List.of("keys")));
    small.onMembers(List.of(member("n1", 1, "alive", 1), member("n2", 2, "left", 1)));
    small.onMembers(List.of(member("n3", 3, "alive", 1)));

    assertThat(small.nodes()).extracting(NodeStatus::id).containsExactly("n1", "n3");
    assertThat(small.departedForgotten()).isEqualTo(1);
    assertThat(small.membersRefused()).isZero();
  }

  @Test
  void aReportForANodeOutsideTheMembershipIsRefusedAndAddsNothing() {
    view.onMembers(List.of(member("n1", 1, "alive", 1)));
    view.onReport(report("n1", 1));
    NodeStatus before = node("n1");

    assertThat(view.onReport(report("invented", 2))).isEqualTo(ReportOutcome.NOT_A_MEMBER);

    assertThat(view.nodes()).extracting(NodeStatus::id).containsExactly("n1");
    assertThat(view.node("invented")).isEmpty();
    assertThat(node("n1")).isEqualTo(before);
  }

  @Test
  void aReportAboveTheLimitsIsRefusedAndTheNodeKeepsItsStats() {
    view.onMembers(List.of(member("n1", 1, "alive", 1)));
    view.onReport(report("n1", 1));
    List<Stat> before = node("n1").stats();
    ReportLimits limits = ReportLimits.DEFAULTS;
    List<Stat> tooMany = new java.util.ArrayList<>();
    for (int i = 0; i <= limits.maxStats(); i++) {
      tooMany.add(Stat.gauge("s" + i, "", i));
    }
    String longName = "x".repeat(limits.maxNameBytes() + 1);
    String longText = "\u00e9".repeat(limits.maxTextBytes() / 2 + 1); // 2 UTF-8 bytes each

    List<StatusReport> refused =
        List.of(
            withStats("n1", tooMany),
            withStats("n1", List.of(Stat.gauge(longName, "", 1))),
            withStats("n1", List.of(Stat.gauge("keys", longName, 1))),
            withStats("n1", List.of(Stat.text("version", longText))),
            new StatusReport("n1", Reports.address(1), 2, 0, Map.of("rack", longText), List.of()),
            new StatusReport("n1", Reports.address(1), 2, 0, manyLabels(limits.maxLabels() + 1), List.of()));
    for (StatusReport report : refused) {
      assertThat(view.onReport(report)).isEqualTo(ReportOutcome.OVER_LIMITS);
    }
    assertThat(node("n1").stats()).isEqualTo(before);
    assertThat(view.onReport(withStats("n1", tooMany.subList(0, limits.maxStats()))))
        .isEqualTo(ReportOutcome.ACCEPTED);
  }

  @Test
  void staysWithinItsMemoryBudgetRefusingWhatWouldExceedIt() {
    ClusterView view = new ClusterView(clock, MonitorSettings.defaults().withMemoryBudgetBytes(3_000_000));
    List<MemberInfo> members = new java.util.ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      members.add(member("n" + i, i, "alive", 1));
    }
    view.onMembers(members);
    long tracked = view.size();
    assertThat(tracked).isBetween(1L, 1_999L);
    assertThat(view.membersRefused()).isEqualTo(2_000 - tracked);

    int refused = 0;
    for (int i = 0; i < tracked; i++) {
      List<Stat> stats = new java.util.ArrayList<>();
      for (int s = 0; s < ReportLimits.DEFAULTS.maxStats(); s++) {
        stats.add(Stat.text("t" + s, "y".repeat(200) + i)); // unique text: nothing shared
      }
      if (view.onReport(withStats("n" + i, stats)) == ReportOutcome.OVER_MEMORY_BUDGET) {
        refused++;
      }
      assertThat(view.retainedBytes()).isLessThanOrEqualTo(3_000_000);
    }
    assertThat(refused).isPositive();
  }

  @Test
  void theBudgetEstimateIsAtLeastTheHeapReallyKept() {
    long before = usedHeapAfterGc();
    ClusterView view = new ClusterView(clock, MonitorSettings.defaults().withMemoryBudgetBytes(1L << 40));
    List<MemberInfo> members = new java.util.ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      members.add(member("node-" + i, i, "alive", 1));
    }
    view.onMembers(members);
    for (int i = 0; i < 2_000; i++) {
      List<Stat> stats = new java.util.ArrayList<>();
      for (int s = 0; s < 40; s++) {
        stats.add(s % 2 == 0 ? Stat.text("t" + s, "v".repeat(100) + i) : Stat.gauge("g" + s, "u", i));
      }
      for (int round = 1; round <= MonitorSettings.DEFAULT_HISTORY_POINTS; round += 20) {
        view.onReport(new StatusReport("node-" + i, Reports.address(i), round, 0, Map.of("rack", "r" + i), stats));
      }
      view.onMembers(List.of(member("node-" + i, i, i % 2 == 0 ? "suspect" : "alive", 2)));
    }
    long kept = usedHeapAfterGc() - before;

    System.out.printf("view of 2,000 nodes: estimated %,d bytes, measured %,d%n", view.retainedBytes(), kept);
    assertThat(view.retainedBytes()).isGreaterThanOrEqualTo(kept);
    assertThat(view.size()).isEqualTo(2_000); // keeps the view reachable until measured
  }

  @Test
  void theLaunchersBudgetHoldsTenThousandNodesOfFortyFiveStats() {
    long budget = (256L << 20) / 3; // MonitorSettings.defaultMemoryBudget() under -Xmx256m
    ClusterView view = new ClusterView(clock, MonitorSettings.defaults().withMemoryBudgetBytes(budget));
    List<MemberInfo> members = new java.util.ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      members.add(member("node-" + i, i, "alive", 1));
    }
    view.onMembers(members);
    for (int i = 0; i < 10_000; i++) {
      List<Stat> stats = new java.util.ArrayList<>();
      stats.add(Stat.text("version", "0.1.0-SNAPSHOT"));
      for (int s = 0; s < 44; s++) {
        stats.add(Stat.gauge("stat.number." + s, "ops/s", i * s));
      }
      assertThat(view.onReport(new StatusReport("node-" + i, Reports.address(i), 1, 0, Map.of("rack", "r1"), stats)))
          .isEqualTo(ReportOutcome.ACCEPTED);
    }
    System.out.printf("10,000 nodes of 45 stats: estimated %,d bytes of a %,d budget%n", view.retainedBytes(), budget);
    assertThat(view.membersRefused()).isZero();
  }

  private static long usedHeapAfterGc() {
    java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static StatusReport withStats(String id, List<Stat> stats) {
    return new StatusReport(id, Reports.address(1), 2, 0, Map.of(), stats);
  }

  private static Map<String, String> manyLabels(int n) {
    Map<String, String> labels = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      labels.put("k" + i, "v");
    }
    return labels;
  }
}
