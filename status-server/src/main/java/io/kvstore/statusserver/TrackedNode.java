package io.kvstore.statusserver;

import io.kvstore.node.monitor.Stat;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/** What the status server knows of one node. Not thread-safe: {@link ClusterView} guards it. */
final class TrackedNode {
  static final int MAX_CHANGES = 20;

  private final String id;
  private InetSocketAddress address;
  private MembershipState membership;
  private long incarnation;

  /** Monotonic time of the latest report, or of the first sighting until a report arrives. */
  private long heardOfNanos;

  private long lastSeenMillis = -1;
  private long lastRound = -1;
  private Map<String, String> labels = Map.of();
  private List<Stat> stats = List.of();
  private HistoryRing history;
  private NodeState state;
  private final ArrayDeque<StateChange> changes = new ArrayDeque<>();
  /** Estimated heap kept for this node without, and for, its latest report (see Footprint). */
  private final long fixedBytes;
  private long reportBytes;
  /** The refused-frames counter of the latest two reports (-1: not reported). */
  private double rejectedBefore = -1;
  private double rejectedNow = -1;
  private boolean insecure;

  TrackedNode(String id, long firstSeenNanos, long fixedBytes) {
    this.id = id;
    this.heardOfNanos = firstSeenNanos;
    this.fixedBytes = fixedBytes;
  }

  long fixedBytes() {
    return fixedBytes;
  }

  long reportBytes() {
    return reportBytes;
  }

  /** Whether this node's membership was learned from the cluster (not only heard of). */
  boolean isMember() {
    return membership != null;
  }

  MembershipState membership() {
    return membership;
  }

  /** When the node last changed state (for choosing which departed node to forget first). */
  Instant stateSince() {
    return changes.isEmpty() ? Instant.MIN : changes.getLast().at();
  }

  void onMember(MembershipState newState, long newIncarnation, InetSocketAddress newAddress) {
    if (membership == null || membership.isOverriddenBy(newState, newIncarnation, incarnation)) {
      membership = newState;
      incarnation = newIncarnation;
    }
    if (newAddress != null) {
      address = newAddress;
    }
  }

  void onReport(
      long nowNanos,
      long nowMillis,
      long round,
      InetSocketAddress reportAddress,
      Map<String, String> newLabels,
      List<Stat> newStats,
      long newReportBytes) {
    heardOfNanos = nowNanos;
    lastSeenMillis = nowMillis;
    lastRound = round;
    if (address == null) {
      address = reportAddress; // the membership's address is authoritative
    }
    labels = newLabels;
    stats = newStats;
    reportBytes = newReportBytes;
    rejectedBefore = rejectedNow;
    rejectedNow = -1;
    insecure = false;
    for (Stat stat : newStats) {
      if (stat.name().equals(NodeWarning.REJECTED_STAT) && Double.isFinite(stat.value())) {
        rejectedNow = stat.value();
      } else if (stat.name().equals(NodeWarning.INSECURE_STAT)) {
        insecure = stat.value() == 1;
      }
    }
  }

  long lastRound() {
    return lastRound;
  }

  /** Warnings from the latest reports: frames refused since the previous report; --insecure. */
  List<NodeWarning> warnings() {
    boolean rejecting = rejectedNow > 0 && rejectedNow > Math.max(0, rejectedBefore);
    if (rejecting && insecure) {
      return List.of(NodeWarning.REJECTING_FRAMES, NodeWarning.INSECURE);
    }
    return rejecting ? List.of(NodeWarning.REJECTING_FRAMES)
        : insecure ? List.of(NodeWarning.INSECURE) : List.of();
  }

  /** Appends sparkline values; the ring is made on the first report, not on first sight. */
  void addHistory(int capacity, long atMillis, float[] values) {
    if (history == null) {
      history = new HistoryRing(capacity, values.length);
    }
    history.add(atMillis, values);
  }

  /** The sparkline history, or null if the node never reported. */
  HistoryRing history() {
    return history;
  }

  /** Moves to the state the node is in now, recording the change. */
  void reevaluate(long nowNanos, long nowMillis, long notRespondingAfterNanos) {
    NodeState now = stateAt(nowNanos, notRespondingAfterNanos);
    if (now != state) {
      changes.addLast(new StateChange(Instant.ofEpochMilli(nowMillis), state, now));
      if (changes.size() > MAX_CHANGES) {
        changes.removeFirst();
      }
      state = now;
    }
  }

  private NodeState stateAt(long nowNanos, long notRespondingAfterNanos) {
    if (membership == MembershipState.DEAD) {
      return NodeState.DEAD;
    }
    if (membership == MembershipState.LEFT) {
      return NodeState.LEFT;
    }
    if (nowNanos - heardOfNanos >= notRespondingAfterNanos) {
      return NodeState.NOT_RESPONDING;
    }
    return membership == MembershipState.SUSPECT ? NodeState.SUSPECT : NodeState.UP;
  }

  String id() {
    return id;
  }

  Map<String, String> labels() {
    return labels;
  }

  NodeState state() {
    return state;
  }

  List<Stat> stats() {
    return stats;
  }

  NodeStatus snapshot() {
    return new NodeStatus(
        id,
        address,
        state,
        changes.getLast().at(),
        lastSeenMillis < 0 ? null : Instant.ofEpochMilli(lastSeenMillis),
        lastRound,
        labels,
        stats,
        List.copyOf(changes),
        warnings());
  }
}
