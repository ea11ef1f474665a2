package io.kvstore.node.cluster;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Every other member this node knows of, with its state and incarnation, plus the shuffled
 * round-robin order in which the failure detector probes them (SWIM: each member is probed once
 * per round, in a fresh random order each round). Keeps the count of live members, the one figure
 * other threads may read.
 *
 * <p>Compact, because the simulator holds one table per simulated node (N² records): a record is
 * 48 bytes with its own hash chain link ({@link MemberIndex}), and the probe order lists the
 * records themselves.
 */
final class MemberTable {
  /** One member's entry; mutable, and only ever touched on the membership thread. */
  static final class Record {
    final NodeId id;
    /** {@link MemberIndex#hash} of the id, and the next record in its bucket. */
    final int hash;
    Record next;
    InetSocketAddress address;
    long incarnation;
    MemberState state;
    long stateSince;

    Record(NodeId id, InetSocketAddress address, long incarnation, MemberState state, long since) {
      this.id = id;
      this.hash = MemberIndex.hash(id);
      this.address = address;
      this.incarnation = incarnation;
      this.state = state;
      this.stateSince = since;
    }

    Member snapshot() {
      return new Member(id, address, incarnation, state, stateSince);
    }
  }

  private final RandomGenerator random;
  private final MemberIndex members = new MemberIndex();
  private final List<Record> probeOrder = new ArrayList<>();
  private int probeIndex;
  /** What {@link #prefetch} read; kept only so that its reads are not optimised away. */
  @SuppressWarnings("unused")
  private int prefetched;
  /** Live members including this node. */
  private volatile int liveCount = 1;

  MemberTable(RandomGenerator random) {
    this.random = random;
  }

  Record get(NodeId id) {
    return members.get(id);
  }

  /**
   * Whether the member is known and live at {@code incarnation} or a later one: what an alive
   * update needs to be dropped as old news, answered without its record where the ids have dense
   * indexes (the simulator's).
   */
  boolean isLiveAtLeast(NodeId id, long incarnation) {
    int dense = members.liveAtLeast(id, incarnation);
    if (dense != MemberIndex.ASK_THE_RECORD) {
      return dense == MemberIndex.YES;
    }
    Record m = members.get(id);
    return m != null && m.state.isLive() && incarnation <= m.incarnation;
  }

  /** Brings the records of these updates' members into cache before they are merged one by one. */
  void prefetch(List<SwimMessage.Update> updates) {
    prefetched = members.touch(updates);
  }

  int size() {
    return members.size();
  }

  /** Every record, in a fixed order for the same history of additions and removals. */
  Iterable<Record> records() {
    return members;
  }

  /** Live members (alive or suspect) including this node. Safe from any thread. */
  int liveCount() {
    return liveCount;
  }

  /** Adds a new alive member at a random place in the probe order. */
  Record addAlive(NodeId id, InetSocketAddress address, long incarnation, long now) {
    Record m = new Record(id, address, incarnation, MemberState.ALIVE, now);
    members.add(m);
    probeOrder.add(probeOrder.isEmpty() ? 0 : random.nextInt(probeOrder.size() + 1), m);
    liveCount++;
    return m;
  }

  /** Forgets a member that is still dead or left since {@code since} (not one that came back). */
  void forget(NodeId id, long since) {
    Record m = members.get(id);
    if (m != null && !m.state.isLive() && m.stateSince == since) {
      members.remove(m);
      probeOrder.remove(m);
    }
  }

  /** Sets the state; also to be called after the record's incarnation changed (even if its state did not). */
  void setState(Record m, MemberState state, long now) {
    if (m.state != state) {
      if (m.state.isLive() != state.isLive()) {
        liveCount += state.isLive() ? 1 : -1;
      }
      m.state = state;
      m.stateSince = now;
    }
    members.sync(m);
  }

  /** Whether an alive member is known at {@code address}. */
  boolean isAliveAt(InetSocketAddress address) {
    for (Record m : members) {
      if (m.state == MemberState.ALIVE && m.address.equals(address)) {
        return true;
      }
    }
    return false;
  }

  /** The next live member in this round's order; a new shuffled round starts when one ends. */
  Record nextProbeTarget() {
    for (int scanned = 0; scanned <= probeOrder.size(); scanned++) {
      if (probeIndex >= probeOrder.size()) {
        probeIndex = 0;
        Collections.shuffle(probeOrder, new java.util.Random(random.nextLong()));
        if (probeOrder.isEmpty()) {
          return null;
        }
      }
      Record m = probeOrder.get(probeIndex++);
      if (m.state.isLive()) {
        return m;
      }
    }
    return null;
  }

  /** Up to {@code count} distinct members passing {@code filter}, other than {@code exclude}. */
  List<Record> randomMembers(int count, Predicate<Record> filter, NodeId exclude) {
    int n = probeOrder.size();
    List<Record> chosen = new ArrayList<>(count);
    if (n == 0 || count == 0) {
      return chosen;
    }
    if (n > 64) {
      // Random picks: O(count) however large the cluster, as long as most members qualify.
      for (int attempt = 0; attempt < 4 * count + 16 && chosen.size() < count; attempt++) {
        Record m = probeOrder.get(random.nextInt(n));
        if (filter.test(m) && !m.id.equals(exclude) && !chosen.contains(m)) {
          chosen.add(m);
        }
      }
      if (chosen.size() == count) {
        return chosen;
      }
      chosen.clear();
    }
    List<Record> candidates = new ArrayList<>();
    for (Record m : probeOrder) {
      if (filter.test(m) && !m.id.equals(exclude)) {
        candidates.add(m);
      }
    }
    // Partial Fisher-Yates: the first `count` are a uniform sample.
    for (int i = 0; i < Math.min(count, candidates.size()); i++) {
      int j = i + random.nextInt(candidates.size() - i);
      Collections.swap(candidates, i, j);
    }
    return new ArrayList<>(candidates.subList(0, Math.min(count, candidates.size())));
  }
}
