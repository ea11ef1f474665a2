package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.AntiEntropyFrames.Answer;
import io.kvstore.node.replication.AntiEntropyFrames.Digest;
import io.kvstore.node.replication.AntiEntropyFrames.Digests;
import io.kvstore.node.replication.AntiEntropyFrames.DigestsReply;
import io.kvstore.node.replication.AntiEntropyFrames.Query;
import io.kvstore.node.replication.AntiEntropyFrames.QueryKind;
import io.kvstore.node.storage.VersionedRecord;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * One anti-entropy round with one peer, from this node's side: build the tree of the keys both
 * hold, send its root; if the peer's differs, fetch the peer's group hashes, then the leaves of
 * the differing groups; then walk local storage in key order and send the digests of the records
 * in differing leaves, a frame at a time; the peer pushes what it holds newer and names the keys
 * it wants, which go to the {@link RepairPusher}. One request is outstanding at a time, resent
 * after {@code retryMillis}; a peer silent for {@link #SILENCE_MILLIS} ends the round.
 */
final class AntiEntropyInitiator {
  static final long SILENCE_MILLIS = 10_000;
  /** Records visited for one DIGESTS frame at most. */
  static final int DIGEST_CHUNK = 1_024;

  enum State { BUILDING, ROOT, LEAVES, SYNC, DONE }

  private final AntiEntropyContext ctx;
  private final RepairPusher pusher;
  private final Ring.Owner peer;
  private final long session;
  private final long retryNanos;
  private final TreeBuilder builder;
  private State state = State.BUILDING;
  private int sequence;
  private byte[] outstanding;
  private long sentNanos;
  private long heardNanos;
  private final ArrayDeque<Integer> groupsToFetch = new ArrayDeque<>();
  private int[] groupsAsked = new int[0];
  private final BitSet differing = new BitSet(MerkleTree.LEAVES);
  private byte[] cursor;

  AntiEntropyInitiator(AntiEntropyContext ctx, RepairPusher pusher, Ring.Owner peer, long session,
      long retryMillis) {
    this.ctx = ctx;
    this.pusher = pusher;
    this.peer = peer;
    this.session = session;
    this.retryNanos = retryMillis * 1_000_000L;
    this.builder = new TreeBuilder(ctx, peer.id());
    this.heardNanos = ctx.clock().nanoTime();
  }

  State state() {
    return state;
  }

  Ring.Owner peer() {
    return peer;
  }

  /** Advances the round: scanning, resending, or the next digests frame. */
  void tick(int maxRecords) {
    long now = ctx.clock().nanoTime();
    switch (state) {
      case BUILDING -> {
        if (builder.step(maxRecords)) {
          state = State.ROOT;
          heardNanos = now;
          ctx.stats().rootQueries.increment();
          send(AntiEntropyFrames.query(
              new Query(session, ++sequence, QueryKind.ROOT, builder.tree().root(), new int[0])));
        }
      }
      case ROOT, LEAVES, SYNC -> {
        if (now - heardNanos > SILENCE_MILLIS * 1_000_000L) {
          finish(false);
        } else if (outstanding != null && now - sentNanos > retryNanos) {
          send(outstanding); // lost, or the peer is still building: ask again
        } else if (state == State.SYNC && outstanding == null
            && pusher.room() >= AntiEntropyFrames.MAX_DIGESTS && ctx.budget().available()) {
          sendDigests();
        }
      }
      case DONE -> {}
    }
  }

  void onAnswer(InetSocketAddress from, Answer a) {
    if (!expected(from, a.session(), a.sequence()) || (state != State.ROOT && state != State.LEAVES)) {
      ctx.stats().lateAnswers.increment();
      return;
    }
    heardNanos = ctx.clock().nanoTime();
    switch (a.status()) {
      case EQUAL -> {
        ctx.stats().roundsEqual.increment();
        finish(true);
      }
      case BUILDING -> sentNanos = heardNanos; // ask again after the retry interval
      case GROUPS -> {
        if (state != State.ROOT) {
          finish(false);
          return;
        }
        byte[][] theirs = new byte[MerkleTree.GROUPS][];
        for (int g = 0; g < MerkleTree.GROUPS; g++) {
          theirs[g] = Arrays.copyOfRange(a.hashes()[0], g * MerkleTree.HASH, (g + 1) * MerkleTree.HASH);
        }
        for (int g : builder.tree().differingGroups(theirs)) {
          groupsToFetch.add(g);
        }
        state = State.LEAVES;
        nextLeaves();
      }
      case LEAVES -> {
        if (state != State.LEAVES || !Arrays.equals(sorted(a.indices()), sorted(groupsAsked))) {
          finish(false);
          return;
        }
        for (int i = 0; i < a.indices().length; i++) {
          ctx.stats().leavesDiffering.add(
              builder.tree().markDifferingLeaves(a.indices()[i], a.hashes()[i], differing));
        }
        nextLeaves();
      }
      case BUSY, UNKNOWN -> finish(false);
    }
  }

  void onDigestsReply(InetSocketAddress from, DigestsReply r) {
    if (!expected(from, r.session(), r.sequence()) || state != State.SYNC) {
      ctx.stats().lateAnswers.increment();
      return;
    }
    heardNanos = ctx.clock().nanoTime();
    if (r.busy()) {
      sentNanos = heardNanos; // ask again after the retry interval
      return;
    }
    outstanding = null;
    for (byte[] key : r.pulls()) {
      pusher.enqueue(peer.address(), key);
    }
    if (r.through() == null) {
      ctx.stats().roundsRepaired.increment();
      finish(true);
    } else if (cursor != null && Arrays.compareUnsigned(r.through(), cursor) <= 0) {
      finish(false); // no progress: a confused or hostile peer must not loop the round
    } else {
      cursor = r.through();
    }
  }

  private void nextLeaves() {
    if (groupsToFetch.isEmpty()) {
      state = State.SYNC;
      outstanding = null;
      cursor = null;
      return;
    }
    int count = Math.min(AntiEntropyFrames.MAX_GROUPS_PER_ANSWER, groupsToFetch.size());
    groupsAsked = new int[count];
    for (int i = 0; i < count; i++) {
      groupsAsked[i] = groupsToFetch.poll();
    }
    ctx.stats().leafQueries.increment();
    send(AntiEntropyFrames.query(
        new Query(session, ++sequence, QueryKind.LEAVES, builder.tree().root(), groupsAsked)));
  }

  /** The digests of the next stretch of local storage: keys both hold, in differing leaves. */
  private void sendDigests() {
    Ring ring = ctx.ring().get();
    List<Digest> entries = new ArrayList<>();
    List<byte[]> keys = new ArrayList<>();
    List<VersionedRecord> records = new ArrayList<>();
    byte[] from = cursor;
    byte[] at = cursor;
    boolean end = false;
    int visited = 0;
    scan:
    while (visited < DIGEST_CHUNK && (visited == 0 || ctx.budget().available())) {
      keys.clear();
      records.clear();
      byte[] last = ctx.storage().scan(at, AntiEntropyContext.SCAN_BATCH, (k, rec) -> {
        keys.add(k);
        records.add(rec);
      });
      for (int i = 0; i < keys.size(); i++) {
        byte[] key = keys.get(i);
        VersionedRecord rec = records.get(i);
        ctx.charge(rec);
        visited++;
        at = key;
        if (differing.get(MerkleTree.leafOf(key)) && !ctx.expired(rec) && ctx.shared(ring, key, peer.id())) {
          entries.add(new Digest(key, rec.timestamp(), rec.tombstone(), MerkleTree.recordHash(key, rec)[0]));
          if (entries.size() == AntiEntropyFrames.MAX_DIGESTS) {
            break scan;
          }
        }
      }
      if (last == null) {
        end = true;
        break;
      }
    }
    ctx.stats().digestFrames.increment();
    send(AntiEntropyFrames.digests(
        new Digests(session, ++sequence, from, end ? null : at, differing, entries)));
  }

  private boolean expected(InetSocketAddress from, long answerSession, int answerSequence) {
    return from.equals(peer.address()) && answerSession == session && answerSequence == sequence
        && outstanding != null;
  }

  private void send(byte[] frame) {
    outstanding = frame;
    sentNanos = ctx.clock().nanoTime();
    ctx.send(peer.address(), frame);
  }

  private void finish(boolean completed) {
    if (!completed) {
      ctx.stats().roundsAborted.increment();
    }
    state = State.DONE;
    outstanding = null;
  }

  private static int[] sorted(int[] values) {
    int[] copy = values.clone();
    Arrays.sort(copy);
    return copy;
  }
}
