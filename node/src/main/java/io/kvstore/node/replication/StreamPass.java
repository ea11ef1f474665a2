package io.kvstore.node.replication;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.storage.StorageEngine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One walk over the local store for one ring change: every record goes to each member of its new
 * preference list that was not on its old one (PUSH, LEAVE), or to the one member that asked for
 * what it replicates (PULL). Records are packed per member into batches of at most
 * {@link RangeStreamFrames#MAX_BATCH_BODY} bytes; the scan advances a bounded chunk at a time, and
 * only while few batches wait, so a pass holds O(window + members) batches whatever the store's size.
 * Single-threaded (the membership thread).
 */
final class StreamPass {
  enum Kind {
    /** The ring changed: stream what members gained relative to {@code base}. */
    PUSH,
    /** A member asked for everything it replicates under {@code target}. */
    PULL,
    /** This node leaves: stream its records to the members that take its ranges over. */
    LEAVE
  }

  /** A batch (or a DONE) to one member: sent, then resent until acknowledged. */
  static final class Outbound {
    final int number;
    final Ring.Owner to;
    final byte[] frame;
    final int records;
    final boolean done;
    long sentNanos;
    int tries;

    Outbound(int number, Ring.Owner to, byte[] frame, int records, boolean done) {
      this.number = number;
      this.to = to;
      this.frame = frame;
      this.records = records;
      this.done = done;
    }
  }

  private static final class Buffer {
    final List<RangeStreamFrames.Entry> entries = new ArrayList<>();
    int bytes;
  }

  final long number;
  final Kind kind;
  /** The ring records are placed by before this pass (null: nothing was placed; PULL: unused). */
  final Ring base;
  final Ring target;
  /** PULL: the member that asked. */
  final NodeId pullFor;
  final ArrayDeque<Outbound> ready = new ArrayDeque<>();
  final Map<Integer, Outbound> inFlight = new HashMap<>();
  private final Map<NodeId, Buffer> buffers = new LinkedHashMap<>();
  private final int n;
  private byte[] cursor;
  private boolean scanned;
  private boolean doneQueued;
  private int nextBatch;
  long recordsScanned;

  StreamPass(long number, Kind kind, Ring base, Ring target, NodeId pullFor, int n) {
    this.number = number;
    this.kind = kind;
    this.base = base;
    this.target = target;
    this.pullFor = pullFor;
    this.n = n;
  }

  boolean scanned() {
    return scanned;
  }

  /** Everything scanned, sent and acknowledged (DONEs included). */
  boolean finished() {
    return scanned && doneQueued && ready.isEmpty() && inFlight.isEmpty();
  }

  int pending() {
    return ready.size() + inFlight.size();
  }

  /** Scans up to {@code chunk} more records into batches. */
  void scanChunk(StorageEngine storage, int chunk) {
    if (scanned) {
      return;
    }
    cursor = storage.scan(cursor, chunk, (key, record) -> {
      recordsScanned++;
      RangeStreamFrames.Entry entry = new RangeStreamFrames.Entry(key, record);
      for (Ring.Owner to : targetsOf(key)) {
        Buffer b = buffers.computeIfAbsent(to.id(), id -> new Buffer());
        if (!RangeStreamFrames.fits(b.bytes, entry.encodedLength())) {
          seal(to, b);
        }
        b.entries.add(entry);
        b.bytes += entry.encodedLength();
      }
    });
    if (cursor == null) {
      scanned = true;
      for (Map.Entry<NodeId, Buffer> e : buffers.entrySet()) {
        if (!e.getValue().entries.isEmpty()) {
          seal(target.member(e.getKey()), e.getValue());
        }
      }
      buffers.clear();
    }
  }

  /** After the scan, the DONE notices this pass owes (PUSH: every live member; PULL: the asker). */
  void queueDones() {
    if (doneQueued || !scanned) {
      return;
    }
    doneQueued = true;
    if (kind == Kind.LEAVE) {
      return; // the members that take over wait for the DONEs of the ring without this node
    }
    for (Ring.Owner m : target.members()) {
      if (!target.isSelf(m) && !m.down() && (kind == Kind.PUSH || m.id().equals(pullFor))) {
        int number = nextBatch++;
        ready.add(new Outbound(number, m, RangeStreamFrames.done(this.number, number,
            target.fingerprint()), 0, true));
      }
    }
  }

  private void seal(Ring.Owner to, Buffer b) {
    if (to != null && !b.entries.isEmpty()) {
      int number = nextBatch++;
      ready.add(new Outbound(number, to,
          RangeStreamFrames.batch(this.number, number, target.fingerprint(), b.entries),
          b.entries.size(), false));
    }
    b.entries.clear();
    b.bytes = 0;
  }

  /** The members that must receive {@code key}'s record in this pass (never this node, never a down one). */
  private List<Ring.Owner> targetsOf(byte[] key) {
    Ring.Owner[] now = target.replicasOf(key, n);
    List<Ring.Owner> to = new ArrayList<>(2);
    Ring.Owner[] before = kind == Kind.PULL || base == null ? new Ring.Owner[0] : base.replicasOf(key, n);
    for (Ring.Owner o : now) {
      if (target.isSelf(o) || o.down() || (kind == Kind.PULL && !o.id().equals(pullFor))) {
        continue;
      }
      boolean had = false;
      for (Ring.Owner b : before) {
        had |= b.id().equals(o.id());
      }
      if (!had) {
        to.add(o);
      }
    }
    return to;
  }
}
