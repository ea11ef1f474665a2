package io.kvstore.statusserver;

import io.kvstore.node.runtime.ManualClock;
import static io.kvstore.statusserver.Reports.member;
import static io.kvstore.statusserver.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
  private static final java.time.Instant START = java.time.Instant.parse("2026-03-01T12:00:00Z");
  private static final long TIMEOUT = 25_000;

  private final ManualClock clock = new ManualClock(START.toEpochMilli());
  private final ClusterView view = new ClusterView(clock, MonitorSettings.defaults());

  private NodeStatus node(String id) {
    return view.node(id).orElseThrow();
  }

  @Test
  void aReportingNodeIsUpWithItsLatestStatsLabelsAndTime() {
    clock.advance(1_000);
    view.onMembers(List.of(member("n1", 1, "alive", 1)));
    assertThat(view.onReport(report("n1", 1))).isEqualTo(ReportOutcome.ACCEPTED);

    NodeStatus n1 = node("n1");
    assertThat(n1.state()).isEqualTo(NodeState.UP);
    assertThat(n1.lastSeen()).isEqualTo(clock.instant());
    assertThat(n1.address()).isEqualTo(Reports.address(1));
    assertThat(n1.labels()).containsEntry("rack", "r1");
    assertThat(n1.stats()).extracting(Stat::name).contains("keys", "requests.rate", "version");
    assertThat(n1.changes()).containsExactly(new StateChange(clock.instant(), null, NodeState.UP));
  }

  @Test
  void aSilentNodeIsNotRespondingAfterTheTimeoutAndUpAgainOnItsNextReport() {
    view.onMembers(List.of(member("n1", 1, "alive", 1)));
    view.onReport(report("n1", 1));
    clock.advance(TIMEOUT - 1);
    view.tick();
    assertThat(node("n1").state()).isEqualTo(NodeState.UP);

    clock.advance(1);
    view.tick();
    assertThat(node("n1").state()).isEqualTo(NodeState.NOT_RESPONDING);
    assertThat(node("n1").stateSince()).isEqualTo(clock.instant());

    clock.advance(5_000);
    view.onReport(report("n1", 1));
    NodeStatus n1 = node("n1");
    assertThat(n1.state()).isEqualTo(NodeState.UP);
    assertThat(n1.changes())
        .containsExactly(
            new StateChange(START, null, NodeState.UP),
            new StateChange(
                START.plusMillis(TIMEOUT), NodeState.UP, NodeState.NOT_RESPONDING),
            new StateChange(clock.instant(), NodeState.NOT_RESPONDING, NodeState.UP));
  }

  @Test
  void snapshotsAreCurrentEvenWithoutATick() {
    view.onMembers(List.of(member("n1", 1, "alive", 1)));
    view.onReport(report("n1", 1));
    clock.advance(TIMEOUT);

    assertThat(view.nodes())
        .extracting(NodeStatus::state)
        .containsExactly(NodeState.NOT_RESPONDING);
  }

  @Test
  void aMemberThatNeverReportedCountsFromWhenItWasFirstSeen() {
    view.onMembers(List.of(member("n1", 1, "alive", 1)));
    assertThat(node("n1").state()).isEqualTo(NodeState.UP);
    assertThat(node("n1").lastSeen()).isNull();

    clock.advance(TIMEOUT);
    view.onMembers(List.of(member("n1", 1, "alive", 1)));
    assertThat(node("n1").state()).isEqualTo(NodeState.NOT_RESPONDING);
  }

  @Test
  void suspectDeadAndLeftComeFromTheMembership() {
    view.onMembers(
        List.of(
            member("a", 1, "alive", 1),
            member("s", 2, "suspect", 1),
            member("d", 3, "dead", 1),
            member("l", 4, "left", 1)));
    List.of("a", "s", "d", "l").forEach(id -> view.onReport(report(id, 1)));

    assertThat(view.nodes())
        .extracting(NodeStatus::id, NodeStatus::state)
        .containsExactly(
            tuple("a", NodeState.UP),
            tuple("d", NodeState.DEAD),
            tuple("l", NodeState.LEFT),
            tuple("s", NodeState.SUSPECT));
  }

  @Test
  void notRespondingOutranksSuspectButNotDead() {
    view.onMembers(List.of(member("s", 1, "suspect", 1), member("d", 2, "dead", 1)));
    clock.advance(TIMEOUT);

    assertThat(node("s").state()).isEqualTo(NodeState.NOT_RESPONDING);
    assertThat(node("d").state()).isEqualTo(NodeState.DEAD);
  }

  @Test
  void membersMissingFromAPollAreKeptAsTheyWere() {
    view.onMembers(List.of(member("n1", 1, "suspect", 1), member("n2", 2, "alive", 1)));
    view.onMembers(List.of(member("n2", 2, "alive", 1)));

    assertThat(node("n1").state()).isEqualTo(NodeState.SUSPECT);
  }

  @Test
  void conflictingViewsResolveByIncarnationThenBySeverity() {
    view.onMembers(List.of(member("n1", 1, "suspect", 5)));
    view.onMembers(List.of(member("n1", 1, "alive", 5))); // a stale view of the same incarnation
    assertThat(node("n1").state()).isEqualTo(NodeState.SUSPECT);

    view.onMembers(List.of(member("n1", 1, "alive", 6))); // the node refuted the suspicion
    assertThat(node("n1").state()).isEqualTo(NodeState.UP);

    view.onMembers(List.of(member("n1", 1, "dead", 6)));
    view.onMembers(List.of(member("n1", 1, "alive", 6)));
    assertThat(node("n1").state()).isEqualTo(NodeState.DEAD);

    view.onMembers(List.of(member("n1", 1, "alive", 7))); // restarted with a new incarnation
    assertThat(node("n1").state()).isEqualTo(NodeState.UP);
  }

  @Test
  void membersInAnUnknownStateAreIgnored() {
    view.onMembers(List.of(member("n1", 1, "confused", 1), member("n2", 2, "ALIVE", 1)));

    assertThat(view.nodes()).extracting(NodeStatus::id).containsExactly("n2");
  }

  @Test
  void keepsTheLastTwentyStateChanges() {
    view.onMembers(List.of(member("n1", 1, "alive", 0)));
    for (int i = 1; i <= 30; i++) {
      clock.advance(100);
      view.onMembers(List.of(member("n1", 1, i % 2 == 1 ? "suspect" : "alive", i)));
    }

    List<StateChange> changes = node("n1").changes();
    assertThat(changes).hasSize(TrackedNode.MAX_CHANGES);
    assertThat(changes.get(changes.size() - 1))
        .isEqualTo(new StateChange(clock.instant(), NodeState.SUSPECT, NodeState.UP));
    assertThat(changes.get(0).at()).isEqualTo(START.plusMillis(1_100));
  }


  @Test
  void historyIsBoundedOldestFirstAndMarksMissingStats() {
    ClusterView view =
        new ClusterView(clock, new MonitorSettings(TIMEOUT, 3, 10, List.of("keys", "absent")));
    view.onMembers(List.of(member("n1", 1, "alive", 1)));
    for (int i = 1; i <= 5; i++) {
      clock.advance(10_000);
      view.onReport(report("n1", 1, i, i * 100, 1));
    }

    NodeHistory history = view.history("n1").orElseThrow();
    long now = clock.currentTimeMillis();
    assertThat(history.timesMillis()).containsExactly(now - 20_000, now - 10_000, now);
    assertThat(history.series().get("keys")).containsExactly(300f, 400f, 500f);
    assertThat(history.series().get("absent")).containsOnly(Float.NaN);
  }

  @Test
  void aNodeThatNeverReportedHasAnEmptyHistory() {
    view.onMembers(List.of(member("n1", 1, "alive", 1)));

    NodeHistory history = view.history("n1").orElseThrow();
    assertThat(history.timesMillis()).isEmpty();
    assertThat(history.series()).containsOnlyKeys(MonitorSettings.DEFAULT_SPARKLINE_STATS);
    assertThat(view.history("unknown")).isEmpty();
  }

  @Test
  void summaryCountsStatesAndAddsUpKeysAndThroughput() {
    view.onMembers(
        List.of(member("d", 3, "dead", 1), member("a", 1, "alive", 1), member("b", 2, "alive", 1),
            member("c", 3, "alive", 1)));
    view.onReport(report("a", 1, 1, 1_000, 10.5));
    view.onReport(report("b", 2, 1, 2_000, 20));
    view.onReport(new StatusReport("c", Reports.address(3), 1, 0, Map.of(), List.of()));
    clock.advance(2_000);
    view.onRoundStarted(42);

    ClusterSummary summary = view.summary();
    assertThat(summary.nodes()).isEqualTo(4);
    assertThat(summary.byState())
        .isEqualTo(
            Map.of(
                NodeState.UP,
                3,
                NodeState.SUSPECT,
                0,
                NodeState.NOT_RESPONDING,
                0,
                NodeState.DEAD,
                1,
                NodeState.LEFT,
                0));
    assertThat(summary.totalKeys()).isEqualTo(3_000);
    assertThat(summary.totalOpsPerSecond()).isEqualTo(30.5);
    assertThat(summary.lastRound()).isEqualTo(42);
    assertThat(summary.lastRoundAt()).isEqualTo(clock.instant());
    assertThat(summary.at()).isEqualTo(clock.instant());
  }

  @Test
  void warnsWhileANodeKeepsRejectingFramesItCannotAuthenticate() {
    view.onMembers(List.of(member("n1", 1, "alive", 1)));
    view.onReport(Reports.rejecting("n1", 1, 1, 0));
    assertThat(node("n1").warnings()).isEmpty();

    view.onReport(Reports.rejecting("n1", 1, 2, 7));
    assertThat(node("n1").warnings()).containsExactly(NodeWarning.REJECTING_FRAMES);

    view.onReport(Reports.rejecting("n1", 1, 3, 7)); // no new rejections since the last report
    assertThat(node("n1").warnings()).isEmpty();
  }

  @Test
  void warnsOfANodeRunningInsecure() {
    view.onMembers(List.of(member("n1", 1, "alive", 1)));
    StatusReport r = report("n1", 1);
    List<Stat> stats = new java.util.ArrayList<>(r.stats());
    stats.add(Stat.gauge("security.insecure", "flag", 1));
    view.onReport(new StatusReport("n1", r.address(), 1, 0, r.labels(), stats));

    assertThat(node("n1").warnings()).containsExactly(NodeWarning.INSECURE);
  }

  @Test
  void beforeAnyRoundTheSummarySaysSo() {
    assertThat(view.summary().lastRound()).isEqualTo(-1);
    assertThat(view.summary().lastRoundAt()).isNull();
  }
}
