package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.AntiEntropyFrames.Answer;
import io.kvstore.node.replication.AntiEntropyFrames.Digest;
import io.kvstore.node.replication.AntiEntropyFrames.Digests;
import io.kvstore.node.replication.AntiEntropyFrames.DigestsReply;
import io.kvstore.node.replication.AntiEntropyFrames.Query;
import io.kvstore.node.replication.AntiEntropyFrames.Status;
import io.kvstore.node.storage.VersionedRecord;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer's side of anti-entropy rounds. A root query opens a session (at most
 * {@value #MAX_SESSIONS} at once, each idle at most {@value #IDLE_MILLIS} ms; closed when it ends
 * EQUAL or its digests begin):
 * this node builds its own tree of the keys it shares with the asker, answers BUILDING until it is
 * done, then EQUAL or its group hashes, and the leaves of groups asked. Digests need no session:
 * this node compares the stretch of its storage they cover (at most {@value #CHUNK} records a
 * frame, fewer when the budget runs out: the reply says how far it got), pushes what it holds newer or alone, and names the keys the asker should push. Only ring
 * members are answered, so no frame makes this node send to a third party.
 */
final class AntiEntropyResponder {
  static final int MAX_SESSIONS = 2;
  /** A session whose asker is silent this long is closed (the asker resends every retry interval). */
  static final long IDLE_MILLIS = 3_000;
  /** Sessions remembered as answered EQUAL. */
  static final int FINISHED = 64;
  /** Records of its own storage one DIGESTS frame makes this node visit at most. */
  static final int CHUNK = 1_024;

  private static final int IN_SYNC = 2;

  private record SessionKey(InetSocketAddress peer, long session) {}

  private static final class Session {
    final TreeBuilder builder;
    Query lastQuery;
    long heardNanos;

    Session(TreeBuilder builder) {
      this.builder = builder;
    }
  }

  private final AntiEntropyContext ctx;
  private final RepairPusher pusher;
  private final Map<SessionKey, Session> sessions = new LinkedHashMap<>();
  /** Sessions answered EQUAL (and closed): a resent root query gets EQUAL again, not a new scan. */
  private final Map<SessionKey, Boolean> equal = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<SessionKey, Boolean> eldest) {
      return size() > FINISHED;
    }
  };

  AntiEntropyResponder(AntiEntropyContext ctx, RepairPusher pusher) {
    this.ctx = ctx;
    this.pusher = pusher;
  }

  int sessions() {
    return sessions.size();
  }

  /** Builds the open sessions' trees; answers the query that waited for one that is done. */
  void tick(int maxRecords) {
    long now = ctx.clock().nanoTime();
    for (Iterator<Map.Entry<SessionKey, Session>> it = sessions.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<SessionKey, Session> e = it.next();
      Session s = e.getValue();
      if (now - s.heardNanos > IDLE_MILLIS * 1_000_000L) {
        it.remove();
      } else if (!s.builder.done() && s.builder.step(maxRecords) && s.lastQuery != null) {
        Answer a = answer(s, s.lastQuery);
        if (a.status() == Status.EQUAL) {
          it.remove();
          equal.put(e.getKey(), Boolean.TRUE);
        }
        ctx.send(e.getKey().peer(), AntiEntropyFrames.answer(a));
      }
    }
  }

  void onQuery(InetSocketAddress from, Query q) {
    Ring ring = ctx.ring().get();
    Ring.Owner peer = ring.memberAt(from);
    if (peer == null || ring.isSelf(peer)) {
      ctx.stats().unknownPeers.increment();
      return;
    }
    SessionKey key = new SessionKey(from, q.session());
    Session s = sessions.get(key);
    if (s == null && equal.containsKey(key)) {
      ctx.send(from, AntiEntropyFrames.answer(Answer.of(q, Status.EQUAL)));
      return;
    }
    if (s == null) {
      if (q.kind() != AntiEntropyFrames.QueryKind.ROOT) {
        ctx.send(from, AntiEntropyFrames.answer(Answer.of(q, Status.UNKNOWN)));
        return;
      }
      if (sessions.size() >= MAX_SESSIONS) {
        ctx.stats().busy.increment();
        ctx.send(from, AntiEntropyFrames.answer(Answer.of(q, Status.BUSY)));
        return;
      }
      s = new Session(new TreeBuilder(ctx, peer.id()));
      sessions.put(key, s);
    }
    s.heardNanos = ctx.clock().nanoTime();
    s.lastQuery = q;
    Answer a = s.builder.done() ? answer(s, q) : Answer.of(q, Status.BUILDING);
    if (a.status() == Status.EQUAL) {
      sessions.remove(key);
      equal.put(key, Boolean.TRUE);
    }
    ctx.send(from, AntiEntropyFrames.answer(a));
  }

  private static Answer answer(Session s, Query q) {
    MerkleTree tree = s.builder.tree();
    if (q.kind() == AntiEntropyFrames.QueryKind.ROOT) {
      if (Arrays.equals(tree.root(), q.root())) {
        return Answer.of(q, Status.EQUAL);
      }
      ByteBuffer groups = ByteBuffer.allocate(MerkleTree.GROUPS * MerkleTree.HASH);
      for (int g = 0; g < MerkleTree.GROUPS; g++) {
        groups.put(tree.groupHash(g));
      }
      return new Answer(q.session(), q.sequence(), Status.GROUPS, new int[] {0}, new byte[][] {groups.array()});
    }
    byte[][] leaves = new byte[q.groups().length][];
    for (int i = 0; i < leaves.length; i++) {
      leaves[i] = tree.groupLeaves(q.groups()[i]);
    }
    return new Answer(q.session(), q.sequence(), Status.LEAVES, q.groups().clone(), leaves);
  }

  /** Compares the asker's digests with this node's records over the same stretch of keys. */
  void onDigests(InetSocketAddress from, Digests d) {
    Ring ring = ctx.ring().get();
    Ring.Owner peer = ring.memberAt(from);
    if (peer == null || ring.isSelf(peer)) {
      ctx.stats().unknownPeers.increment();
      return;
    }
    sessions.remove(new SessionKey(from, d.session())); // its tree has served: digests follow the leaves
    if (!ctx.budget().available() || pusher.room() < CHUNK + AntiEntropyFrames.MAX_DIGESTS) {
      ctx.stats().busy.increment();
      ctx.send(from, AntiEntropyFrames.digestsReply(
          new DigestsReply(d.session(), d.sequence(), true, d.from(), List.of())));
      return;
    }
    // This node's records in (from, through], at most CHUNK of them: up to `reached`.
    List<byte[]> keys = new ArrayList<>();
    List<VersionedRecord> records = new ArrayList<>();
    byte[] at = d.from();
    boolean covered = false;
    while (!covered && keys.size() < CHUNK && (keys.isEmpty() || ctx.budget().available())) {
      int before = keys.size();
      byte[] last = ctx.storage().scan(at, AntiEntropyContext.SCAN_BATCH, (k, r) -> {
        keys.add(k);
        records.add(r);
      });
      for (int i = before; i < keys.size(); i++) {
        if (d.through() != null && Arrays.compareUnsigned(keys.get(i), d.through()) > 0) {
          keys.subList(i, keys.size()).clear(); // past the stretch: the asker sends it next
          records.subList(i, records.size()).clear();
          covered = true;
          break;
        }
        ctx.charge(records.get(i));
      }
      if (!covered && keys.size() > before) {
        at = keys.get(keys.size() - 1);
      }
      covered |= last == null;
    }
    byte[] reached = covered ? d.through() : at;
    Map<ByteBuffer, Digest> theirs = new HashMap<>();
    for (Digest e : d.entries()) {
      if (reached == null || Arrays.compareUnsigned(e.key(), reached) <= 0) {
        theirs.put(ByteBuffer.wrap(e.key()), e);
      }
    }
    List<byte[]> pulls = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      byte[] key = keys.get(i);
      VersionedRecord mine = records.get(i);
      Digest their = theirs.remove(ByteBuffer.wrap(key));
      if (!d.leaves().get(MerkleTree.leafOf(key)) || !ctx.shared(ring, key, peer.id())) {
        continue;
      }
      if (ctx.expired(mine)) {
        continue; // about to be collected: neither sent nor asked for
      }
      int order = their == null ? 1 : compare(key, mine, their);
      if (order == IN_SYNC) {
        continue;
      }
      if (order >= 0) {
        pusher.enqueue(from, key); // newer here, only here, or a tie the replica's order settles
      }
      if (order <= 0 && their != null) {
        pulls.add(key);
      }
    }
    for (Digest their : theirs.values()) {
      if (d.leaves().get(MerkleTree.leafOf(their.key())) && ctx.shared(ring, their.key(), peer.id())) {
        pulls.add(their.key()); // held only there
      }
    }
    ctx.stats().recordsPulled.add(pulls.size());
    ctx.send(from, AntiEntropyFrames.digestsReply(
        new DigestsReply(d.session(), d.sequence(), false, reached, pulls)));
  }

  /**
   * Which copy is newer: 1 this node's, -1 the asker's, 0 in sync (equal hashes) or a tie that
   * only the values could break (both are sent, and each replica keeps the newer by RecordOrder).
   * {@link #IN_SYNC} when they are equal, so nothing moves.
   */
  private static int compare(byte[] key, VersionedRecord mine, Digest their) {
    if (mine.timestamp() != their.timestamp()) {
      return mine.timestamp() > their.timestamp() ? 1 : -1;
    }
    if (mine.tombstone() != their.tombstone()) {
      return mine.tombstone() ? 1 : -1; // at equal timestamps a tombstone wins
    }
    return MerkleTree.recordHash(key, mine)[0] == their.hash() ? IN_SYNC : 0;
  }
}
