package io.kvstore.statusserver;

import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.runtime.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The cluster as the status server sees it: membership polled from nodes plus the reports nodes
 * send. Thread-safe. Snapshots re-evaluate time-based states first, so they are always current
 * however often {@link #tick()} runs.
 *
 * <p>Bounded: only members learned from the membership are tracked (a report never adds a node),
 * at most {@code maxNodes} of them, and everything kept is counted against a byte budget; what
 * would exceed it is refused and counted, so no flood can run the heap out.
 */
public final class ClusterView {
  private static final String KEYS = "keys";
  private static final String OPS_PER_SECOND = "requests.rate";

  /** Enough for every distinct stat name, unit and label (not node id) a real cluster sends. */
  private static final int SHARED_STRINGS = 4096;

  private final Clock clock;
  private final MonitorSettings settings;
  private final long notRespondingAfterNanos;
  private final Map<String, Integer> sparklineIndex = new HashMap<>();
  private final StringPool strings = new StringPool(SHARED_STRINGS);
  private final TreeMap<String, TrackedNode> nodes = new TreeMap<>();
  private final OperationsTable operations = new OperationsTable();
  private final long poolBytes;
  private long retainedBytes;
  private long membersRefused;
  private long departedForgotten;
  private boolean reportsAuthenticated = true;
  private long lastRound = -1;
  private Instant lastRoundAt;

  public ClusterView(Clock clock, MonitorSettings settings) {
    this.clock = clock;
    this.settings = settings;
    this.notRespondingAfterNanos =
        TimeUnit.MILLISECONDS.toNanos(settings.notRespondingAfterMillis());
    for (String stat : settings.sparklineStats()) {
      sparklineIndex.put(stat, sparklineIndex.size());
    }
    ReportLimits limits = settings.limits();
    this.poolBytes = Footprint.pool(SHARED_STRINGS, Math.max(limits.maxNameBytes(), limits.maxTextBytes()));
    this.retainedBytes = poolBytes;
  }

  /**
   * Applies one node's view of the membership. Members it does not list are left as they were: a
   * node may see only part of the cluster.
   */
  public synchronized void onMembers(List<MemberInfo> members) {
    for (MemberInfo member : members) {
      Optional<MembershipState> state = MembershipState.parse(member.state());
      if (state.isEmpty()) {
        continue;
      }
      TrackedNode node = track(member.id());
      if (node != null) {
        node.onMember(state.get(), member.incarnation(), member.address());
        reevaluate(node);
      }
    }
  }

  /**
   * Records a member's report. Refused (and nothing changed) when the node is not a member, when
   * the report exceeds the {@link ReportLimits}, or when keeping it would exceed the budget.
   */
  public synchronized ReportOutcome onReport(StatusReport report) {
    TrackedNode node = nodes.get(report.nodeId());
    if (node == null || !node.isMember()) {
      return ReportOutcome.NOT_A_MEMBER;
    }
    if (settings.limits().violation(report).isPresent()) {
      return ReportOutcome.OVER_LIMITS;
    }
    List<Stat> stats = shared(report.stats());
    Map<String, String> labels = shared(report.labels());
    long bytes = Footprint.report(labels, stats, strings::isShared);
    if (retainedBytes + operations.bytes() - node.reportBytes() + bytes > settings.memoryBudgetBytes()) {
      return ReportOutcome.OVER_MEMORY_BUDGET;
    }
    retainedBytes += bytes - node.reportBytes();
    long nowMillis = clock.currentTimeMillis();
    node.onReport(clock.nanoTime(), nowMillis, report.round(), report.address(), labels, stats, bytes);
    node.addHistory(settings.historyPoints(), nowMillis, sparklineValues(stats));
    operations.apply(node.id(), stats, nowMillis, settings.memoryBudgetBytes() - retainedBytes);
    reevaluate(node);
    return ReportOutcome.ACCEPTED;
  }

  /** Marks the figures as unauthenticated: the server runs without the cluster secret. */
  public synchronized void markReportsUnauthenticated() {
    reportsAuthenticated = false;
  }

  /** Whether {@code id} is a member learned from the membership (reports are taken only from those). */
  public synchronized boolean isMember(String id) {
    TrackedNode node = nodes.get(id);
    return node != null && node.isMember();
  }

  /** Estimated heap the view keeps now, within {@link MonitorSettings#memoryBudgetBytes()}. */
  public synchronized long retainedBytes() {
    return retainedBytes + operations.bytes();
  }

  /** Operations forgotten to stay within {@link OperationsTable#MAX_OPERATIONS} or the budget. */
  public synchronized long operationsForgotten() {
    return operations.forgotten();
  }

  /** Every operation nodes reported, first seen first, without output tails. */
  public synchronized List<OperationStatus> operations() {
    tick();
    List<OperationStatus> all = new ArrayList<>();
    for (OperationsTable.Operation op : operations.all()) {
      all.add(status(op, false));
    }
    return all;
  }

  /** The operation whose id starts with {@code idOrPrefix} (at least 8 hex digits), with tails. */
  public synchronized Optional<OperationStatus> operation(String idOrPrefix) {
    tick();
    return operations.find(idOrPrefix).map(op -> status(op, true));
  }

  /** Per-node results, and a WAITING entry for each live targeted node that has not reported. */
  private OperationStatus status(OperationsTable.Operation op, boolean withTails) {
    List<OperationStatus.NodeResult> results = new ArrayList<>();
    for (TrackedNode node : nodes.values()) {
      OperationsTable.NodeResult r = op.byNode.get(node.id());
      if (r != null) {
        results.add(new OperationStatus.NodeResult(node.id(), r.state(), r.exit(), r.durationMillis(),
            r.truncatedBytes(), withTails ? r.tail() : "", Instant.ofEpochMilli(r.updatedAtMillis())));
      } else if (node.state() != NodeState.DEAD && node.state() != NodeState.LEFT
          && OperationStatus.targets(op.targets, node.id(), node.labels())) {
        results.add(new OperationStatus.NodeResult(node.id(), OperationStatus.WAITING, -1, 0, 0, "", null));
      }
    }
    return new OperationStatus(op.id, op.kind, op.targets, Instant.ofEpochMilli(op.firstSeenMillis), results);
  }

  public long memoryBudgetBytes() {
    return settings.memoryBudgetBytes();
  }

  /** Members not tracked because maxNodes or the memory budget was reached. */
  public synchronized long membersRefused() {
    return membersRefused;
  }

  /** Dead or left nodes forgotten to make room for new members. */
  public synchronized long departedForgotten() {
    return departedForgotten;
  }

  /** Notes that the status server asked for collection round {@code round}. */
  public synchronized void onRoundStarted(long round) {
    lastRound = round;
    lastRoundAt = Instant.ofEpochMilli(clock.currentTimeMillis());
  }

  /** Re-evaluates time-based states, recording the changes. */
  public synchronized void tick() {
    for (TrackedNode node : nodes.values()) {
      reevaluate(node);
    }
  }

  /** How many nodes are tracked. */
  public synchronized int size() {
    return nodes.size();
  }

  /** Every tracked node, by id. */
  public synchronized List<NodeStatus> nodes() {
    tick();
    List<NodeStatus> all = new ArrayList<>(nodes.size());
    for (TrackedNode node : nodes.values()) {
      all.add(node.snapshot());
    }
    return all;
  }

  public synchronized Optional<NodeStatus> node(String id) {
    TrackedNode node = nodes.get(id);
    if (node == null) {
      return Optional.empty();
    }
    reevaluate(node);
    return Optional.of(node.snapshot());
  }

  /** The node's recent history of the sparkline stats (empty series if it never reported). */
  public synchronized Optional<NodeHistory> history(String id) {
    TrackedNode node = nodes.get(id);
    if (node == null) {
      return Optional.empty();
    }
    HistoryRing ring = node.history();
    return Optional.of(
        ring != null
            ? ring.snapshot(settings.sparklineStats())
            : NodeHistory.empty(settings.sparklineStats()));
  }

  public synchronized ClusterSummary summary() {
    tick();
    Map<NodeState, Integer> byState = new EnumMap<>(NodeState.class);
    for (NodeState state : NodeState.values()) {
      byState.put(state, 0);
    }
    double keys = 0;
    double opsPerSecond = 0;
    for (TrackedNode node : nodes.values()) {
      byState.merge(node.state(), 1, Integer::sum);
      // Totals describe the cluster as it is now: a silent node's last figures are stale.
      if (node.state() == NodeState.UP || node.state() == NodeState.SUSPECT) {
        keys += statValue(node.stats(), KEYS);
        opsPerSecond += statValue(node.stats(), OPS_PER_SECOND);
      }
    }
    return new ClusterSummary(
        nodes.size(),
        byState,
        keys,
        opsPerSecond,
        lastRound,
        lastRoundAt,
        Instant.ofEpochMilli(clock.currentTimeMillis()),
        reportsAuthenticated);
  }

  /** The node, tracked now if there is room (a dead or left node may be forgotten for it). */
  private TrackedNode track(String id) {
    TrackedNode node = nodes.get(id);
    if (node != null) {
      return node;
    }
    long bytes = Footprint.node(id, settings.historyPoints(), sparklineIndex.size());
    while (nodes.size() >= settings.maxNodes()
        || retainedBytes + operations.bytes() + bytes > settings.memoryBudgetBytes()) {
      if (!forgetOneDeparted()) {
        membersRefused++;
        return null;
      }
    }
    node = new TrackedNode(id, clock.nanoTime(), bytes);
    nodes.put(node.id(), node);
    retainedBytes += bytes;
    return node;
  }

  /** Forgets the dead or left node that departed longest ago; false if there is none. */
  private boolean forgetOneDeparted() {
    TrackedNode oldest = null;
    for (TrackedNode node : nodes.values()) {
      if ((node.state() == NodeState.DEAD || node.state() == NodeState.LEFT)
          && (oldest == null || node.stateSince().isBefore(oldest.stateSince()))) {
        oldest = node;
      }
    }
    if (oldest == null) {
      return false;
    }
    nodes.remove(oldest.id());
    retainedBytes -= oldest.fixedBytes() + oldest.reportBytes();
    departedForgotten++;
    return true;
  }

  private void reevaluate(TrackedNode node) {
    node.reevaluate(clock.nanoTime(), clock.currentTimeMillis(), notRespondingAfterNanos);
  }

  private float[] sparklineValues(List<Stat> stats) {
    float[] values = new float[sparklineIndex.size()];
    Arrays.fill(values, Float.NaN);
    for (Stat stat : stats) {
      Integer series = sparklineIndex.get(stat.name());
      if (series != null && stat.kind() != Stat.Kind.TEXT) {
        values[series] = (float) stat.value();
      }
    }
    return values;
  }

  private List<Stat> shared(List<Stat> stats) {
    List<Stat> copy = new ArrayList<>(stats.size());
    for (Stat s : stats) {
      copy.add(
          new Stat(
              strings.intern(s.name()), strings.intern(s.unit()), s.kind(), s.value(), s.text()));
    }
    return List.copyOf(copy);
  }

  private Map<String, String> shared(Map<String, String> labels) {
    Map<String, String> copy = new LinkedHashMap<>();
    labels.forEach((k, v) -> copy.put(strings.intern(k), strings.intern(v)));
    return copy.isEmpty() ? Map.of() : Collections.unmodifiableMap(copy);
  }

  private static double statValue(List<Stat> stats, String name) {
    for (Stat stat : stats) {
      if (stat.name().equals(name) && Double.isFinite(stat.value())) {
        return stat.value();
      }
    }
    return 0;
  }
}
