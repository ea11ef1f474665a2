package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Update;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Membership updates waiting to be piggybacked: each is sent a limited number of times
 * (λ·log N), least-sent first, and a newer update about a member replaces an older one. Taking
 * k updates costs O(k log n), so a burst of thousands of updates stays cheap.
 *
 * <p>Compact, because a node that joins a cluster of N queues an update about each of the N
 * (the simulator holds N such queues: 12 M entries at 5,000 nodes while they form). Each entry
 * is both a node of the treap that orders the queue and a link of the chained table that finds
 * it by member, 48 bytes in all, where a TreeSet and a HashMap added 72 bytes of nodes to it.
 */
final class BroadcastQueue {
  /** At most this many updates per take (a datagram holds far fewer). */
  private static final int MAX_TAKEN = 256;

  private static final class Entry {
    final Update update;
    final long order;
    final int size;
    /** {@link MemberIndex#hash} of the member's id. */
    final int hash;
    int transmits;
    /** Children in the treap. */
    Entry left;
    Entry right;
    /** The next entry in the same bucket of the by-member table. */
    Entry nextInBucket;

    Entry(Update update, long order) {
      this.update = update;
      this.order = order;
      this.size = SwimCodec.size(update);
      this.hash = MemberIndex.hash(update.id());
    }

    /** Least sent first, then newest first: a total order (orders are unique). */
    boolean before(Entry o) {
      return transmits != o.transmits ? transmits < o.transmits : order > o.order;
    }

    /** Whether this entry, sent once more, still comes before {@code o} (sent as often as now). */
    boolean beforeOnceMoreSent(Entry o) {
      return transmits + 1 != o.transmits ? transmits + 1 < o.transmits : order > o.order;
    }

    /** The treap's heap priority: fixed per entry and random-like, so the treap stays balanced. */
    long priority() {
      long z = order * 0x9E3779B97F4A7C15L;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      return z ^ (z >>> 27);
    }
  }

  private Entry root;
  private Entry[] buckets = new Entry[16];
  private int size;
  private long nextOrder;
  /** Reused by {@link #take} for its in-order walk. */
  private Entry[] path = new Entry[64];
  /** Reused by {@link #take}: the entries it sends. */
  private final Entry[] sent = new Entry[MAX_TAKEN];

  void add(Update update) {
    Entry old = find(update.id());
    if (old != null) {
      unlink(old);
      root = remove(root, old);
    }
    Entry e = new Entry(update, nextOrder++);
    link(e);
    root = insert(root, e);
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /**
   * Takes updates that fit in {@code budgetBytes}, least transmitted (then newest) first, counting
   * a transmission for each and retiring those sent {@code limit} times.
   */
  List<Update> take(int budgetBytes, int limit) {
    List<Update> taken = new ArrayList<>();
    int count = 0;
    // sent[0, prefix) are the first entries in order (none skipped before them); boundary is the
    // first entry after them that was not taken, null if there is none.
    int prefix = 0;
    Entry boundary = null;
    int used = 0;
    int depth = 0;
    Entry e = root;
    while (e != null || depth > 0) {
      while (e != null) {
        if (depth == path.length) {
          path = Arrays.copyOf(path, 2 * depth);
        }
        path[depth++] = e;
        e = e.left;
      }
      e = path[--depth];
      boolean fits = used + e.size <= budgetBytes;
      if (count == MAX_TAKEN || (!fits && budgetBytes - used < 24)) {
        if (boundary == null) {
          boundary = e;
        }
        break; // nothing else will fit either
      }
      if (fits) {
        used += e.size;
        taken.add(e.update);
        if (boundary == null) {
          prefix++;
        }
        sent[count++] = e;
      } else if (boundary == null) {
        boundary = e;
      }
      e = e.right;
    }
    Arrays.fill(path, 0, depth, null);
    // Sent once more, the prefix stays in order among itself: those of it that are not retired
    // and still come before the boundary keep their place in the treap (a small queue sent whole,
    // the common case, needs no treap operation at all). The rest move.
    int stay = 0;
    while (stay < prefix && sent[stay].transmits + 1 < limit
        && (boundary == null || sent[stay].beforeOnceMoreSent(boundary))) {
      stay++;
    }
    for (int i = stay; i < count; i++) {
      root = remove(root, sent[i]);
    }
    for (int i = 0; i < stay; i++) {
      sent[i].transmits++;
    }
    for (int i = stay; i < count; i++) {
      Entry s = sent[i];
      if (++s.transmits >= limit) {
        unlink(s);
      } else {
        root = insert(root, s);
      }
    }
    Arrays.fill(sent, 0, count, null);
    return taken;
  }

  // ---------------------------------------------------------------- the treap

  private static Entry insert(Entry node, Entry e) {
    if (node == null) {
      return e;
    }
    if (e.before(node)) {
      node.left = insert(node.left, e);
      if (node.left.priority() > node.priority()) {
        Entry pivot = node.left;
        node.left = pivot.right;
        pivot.right = node;
        return pivot;
      }
    } else {
      node.right = insert(node.right, e);
      if (node.right.priority() > node.priority()) {
        Entry pivot = node.right;
        node.right = pivot.left;
        pivot.left = node;
        return pivot;
      }
    }
    return node;
  }

  /** Removes {@code e}, which is in the subtree of {@code node}. */
  private static Entry remove(Entry node, Entry e) {
    if (node == e) {
      Entry joined = join(e.left, e.right);
      e.left = null;
      e.right = null;
      return joined;
    }
    if (e.before(node)) {
      node.left = remove(node.left, e);
    } else {
      node.right = remove(node.right, e);
    }
    return node;
  }

  /** Joins two treaps, every entry of {@code low} before every entry of {@code high}. */
  private static Entry join(Entry low, Entry high) {
    if (low == null) {
      return high;
    }
    if (high == null) {
      return low;
    }
    if (low.priority() > high.priority()) {
      low.right = join(low.right, high);
      return low;
    }
    high.left = join(low, high.left);
    return high;
  }

  // ---------------------------------------------------------------- by member

  private Entry find(NodeId id) {
    int h = MemberIndex.hash(id);
    for (Entry e = buckets[h & (buckets.length - 1)]; e != null; e = e.nextInBucket) {
      if (e.hash == h && e.update.id().equals(id)) {
        return e;
      }
    }
    return null;
  }

  private void link(Entry e) {
    int i = e.hash & (buckets.length - 1);
    e.nextInBucket = buckets[i];
    buckets[i] = e;
    if (++size > buckets.length / 4 * 3) {
      Entry[] old = buckets;
      buckets = new Entry[old.length * 2];
      for (Entry head : old) {
        for (Entry b = head, next; b != null; b = next) {
          next = b.nextInBucket;
          int j = b.hash & (buckets.length - 1);
          b.nextInBucket = buckets[j];
          buckets[j] = b;
        }
      }
    }
  }

  private void unlink(Entry e) {
    int i = e.hash & (buckets.length - 1);
    if (buckets[i] == e) {
      buckets[i] = e.nextInBucket;
    } else {
      Entry b = buckets[i];
      while (b.nextInBucket != e) {
        b = b.nextInBucket;
      }
      b.nextInBucket = e.nextInBucket;
    }
    e.nextInBucket = null;
    size--;
  }
}
