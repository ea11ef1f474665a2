package io.kvstore.node.replication;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of rebalancing: which keys this node gained since its ring was last complete
 * (it is a replica of them now and was not under the baseline ring), and whether every live member
 * has said DONE for the current ring. Until then {@link Replica} answers reads of gained keys as
 * "incomplete", so coordinators do not count them toward R. A node that starts empty and joins
 * through seeds has an empty baseline: every key it replicates is gained. Single-threaded (the
 * membership thread); the readiness it publishes is an immutable snapshot read by every event loop.
 */
final class IncomingRanges {
  private static final Logger log = LoggerFactory.getLogger(IncomingRanges.class);

  private final Replica replica;
  private final int n;
  private final RebalanceStats stats;
  /** The ring under which this node last held everything it replicated; null: nothing (fresh). */
  private Ring baseline;
  private boolean started;
  private Ring current;
  /** The ring fingerprint each member last said DONE for (members of the current ring only). */
  private final Map<NodeId, Long> doneFor = new HashMap<>();

  IncomingRanges(Replica replica, int n, boolean startsEmpty, RebalanceStats stats) {
    this.replica = replica;
    this.n = n;
    this.stats = stats;
    this.started = startsEmpty;
  }

  /** The ring changed (or may have): recompute what is awaited. */
  void onRing(Ring ring) {
    if (!started) {
      started = true;
      baseline = ring; // held data before: what it replicates now it had (hints cover the rest)
    }
    if (current != null && current.fingerprint() == ring.fingerprint() && current == ring) {
      return;
    }
    boolean changed = current == null || current.fingerprint() != ring.fingerprint();
    current = ring;
    doneFor.keySet().removeIf(id -> ring.member(id) == null);
    if (ring.memberCount() <= 1) {
      publish(true); // alone: no one can stream to it (and a joining node answers no key anyway)
      return;
    }
    if (changed || !stats.complete) {
      evaluate();
    }
  }

  /** A DONE from {@code from} for the ring {@code fingerprint}; false if the sender is no member. */
  boolean onDone(InetSocketAddress from, long fingerprint) {
    Ring.Owner sender = memberAt(from);
    if (sender == null) {
      return false;
    }
    doneFor.put(sender.id(), fingerprint);
    if (!stats.complete) {
      evaluate();
    }
    return true;
  }

  /** Members whose DONE for the current ring is still missing (they get a REQUEST). */
  List<Ring.Owner> awaited() {
    return current == null || stats.complete ? List.of() : missingDones();
  }

  private List<Ring.Owner> missingDones() {
    List<Ring.Owner> awaited = new ArrayList<>();
    for (Ring.Owner m : current.members()) {
      Long done = doneFor.get(m.id());
      if (!current.isSelf(m) && !m.down() && (done == null || done != current.fingerprint())) {
        awaited.add(m);
      }
    }
    return awaited;
  }

  Ring.Owner memberAt(InetSocketAddress address) {
    if (current == null) {
      return null;
    }
    for (Ring.Owner m : current.members()) {
      if (m.address().equals(address) && !current.isSelf(m)) {
        return m;
      }
    }
    return null;
  }

  long currentFingerprint() {
    return current == null ? 0 : current.fingerprint();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("baseline " + (baseline == null ? "none" : Long.toHexString(baseline.fingerprint())) + " done");
    doneFor.forEach((id, fp) -> b.append(' ').append(id.value()).append('=').append(Long.toHexString(fp)));
    return b.toString();
  }

  private void evaluate() {
    List<Ring.Owner> awaited = missingDones();
    stats.membersAwaited = awaited.size();
    if (awaited.isEmpty() || (baseline != null && !current.gains(baseline, current.self(), n))) {
      if (!stats.complete) {
        log.info("rebalance: every live member streamed this node's new ranges; reads of them count again");
      }
      baseline = current;
      publish(true);
      return;
    }
    if (stats.complete) {
      log.info("rebalance: this node gained ranges; waiting for {} members to stream them", awaited.size());
    }
    // Only keys gained since the baseline are incomplete; the rest this node held all along.
    Ring base = baseline;
    Ring now = current;
    publish(false);
    replica.setReadiness(key -> !holds(now, key) || (base != null && holds(base, key)));
  }

  private boolean holds(Ring ring, byte[] key) {
    for (Ring.Owner o : ring.replicasOf(key, n)) {
      if (ring.isSelf(o)) {
        return true;
      }
    }
    return false;
  }

  private void publish(boolean complete) {
    stats.complete = complete;
    if (complete) {
      stats.membersAwaited = 0;
      replica.setReadiness(Replica.RangeReadiness.COMPLETE);
    }
  }
}
