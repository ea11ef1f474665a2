package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Update;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Membership updates waiting to be piggybacked: each is sent a limited number of times
 * (λ·log N), least-sent first, and a newer update about a member replaces an older one.
 *
 * <p>The queue is one list per transmit count, each newest first, so that walking the lists in
 * turn visits the updates in the queue's order (least sent, then newest). A take visits only what
 * it sends (plus what did not fit) and moves each sent update to the next list, where it almost
 * always lands at one end: a burst of updates sent in turn arrives at the old end, a fresh update
 * at the new end. Its place is searched from both ends (and, for a batch, from the place of the
 * one before it), so a move costs O(1) in those cases and never more than the list's length.
 *
 * <p>Compact, because a node that joins a cluster of N queues an update about each of the N
 * (the simulator holds N such queues: 12 M entries at 5,000 nodes while they form). Each entry
 * is both a link of its list and a link of the chained table that finds it by member, 48 bytes in
 * all, where a TreeSet and a HashMap added 72 bytes of nodes to it.
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
    /** Neighbours in the list of entries sent {@link #transmits} times: newer, older. */
    Entry newer;
    Entry older;
    /** The next entry in the same bucket of the by-member table. */
    Entry nextInBucket;

    Entry(Update update, long order) {
      this.update = update;
      this.order = order;
      this.size = SwimCodec.size(update);
      this.hash = MemberIndex.hash(update.id());
    }
  }

  /** newest[t] and oldest[t]: the ends of the list of entries sent t times (null if it is empty). */
  private Entry[] newest = new Entry[8];
  private Entry[] oldest = new Entry[8];
  /**
   * A lower bound of the sizes in each list (exact after a walk of all of it), so that a take
   * with less room left than any entry of a list needs does not walk it: a budget left with
   * room for a suspicion but not for an alive update would otherwise visit all of a joiner's
   * thousands of alive updates, on every message.
   */
  private int[] leastSize = filled(8);
  private Entry[] buckets = new Entry[16];
  private int size;
  private long nextOrder;
  /** Reused by {@link #take}: the entries it sends. */
  private final Entry[] sent = new Entry[MAX_TAKEN];

  void add(Update update) {
    Entry old = find(update.id());
    if (old != null) {
      unlink(old);
      detach(old);
    }
    Entry e = new Entry(update, nextOrder++);
    link(e);
    // Newest of all: the new end of the list of the never sent.
    e.older = newest[0];
    if (newest[0] == null) {
      oldest[0] = e;
    } else {
      newest[0].newer = e;
    }
    newest[0] = e;
    leastSize[0] = Math.min(leastSize[0], e.size);
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
    int used = 0;
    walk:
    for (int t = 0; t < newest.length; t++) {
      // The least size among the entries of this list not sent, if it is walked whole.
      int least = Integer.MAX_VALUE;
      for (Entry e = newest[t]; e != null; e = e.older) {
        if (leastSize[t] > budgetBytes - used) {
          // Nothing from here on in this list fits: the walk would stop at e (too little room
          // left for anything) or visit the rest without taking any of it.
          if (budgetBytes - used < 24) {
            break walk;
          }
          continue walk;
        }
        boolean fits = used + e.size <= budgetBytes;
        if (count == MAX_TAKEN || (!fits && budgetBytes - used < 24)) {
          break walk; // nothing else will fit either
        }
        if (fits) {
          used += e.size;
          taken.add(e.update);
          sent[count++] = e;
        } else {
          least = Math.min(least, e.size);
        }
      }
      leastSize[t] = least;
    }
    for (int i = 0; i < count; i++) {
      detach(sent[i]);
    }
    // In the order they were sent, so each list receives its newcomers newest first.
    Entry previous = null;
    for (int i = 0; i < count; i++) {
      Entry s = sent[i];
      sent[i] = null;
      if (++s.transmits >= limit) {
        unlink(s);
        continue;
      }
      attach(s, previous != null && previous.transmits == s.transmits ? previous : null);
      previous = s;
    }
    return taken;
  }

  // ---------------------------------------------------------------- the lists by transmit count

  private static int[] filled(int length) {
    int[] a = new int[length];
    Arrays.fill(a, Integer.MAX_VALUE);
    return a;
  }

  /** Takes {@code e} out of its list. */
  private void detach(Entry e) {
    int t = e.transmits;
    if (e.newer == null) {
      newest[t] = e.older;
    } else {
      e.newer.older = e.older;
    }
    if (e.older == null) {
      oldest[t] = e.newer;
    } else {
      e.older.newer = e.newer;
    }
    e.newer = null;
    e.older = null;
  }

  /**
   * Puts {@code e} in its place (newest first) in the list of its transmit count, searching from
   * both ends at once; {@code newerBound}, if not null, is an entry of that list known to be newer.
   */
  private void attach(Entry e, Entry newerBound) {
    int t = e.transmits;
    if (t >= newest.length) {
      int length = Math.max(t + 1, 2 * newest.length);
      newest = Arrays.copyOf(newest, length);
      oldest = Arrays.copyOf(oldest, length);
      int known = leastSize.length;
      leastSize = Arrays.copyOf(leastSize, length);
      Arrays.fill(leastSize, known, length, Integer.MAX_VALUE);
    }
    leastSize[t] = Math.min(leastSize[t], e.size);
    long order = e.order;
    // After: the entry e goes right after (older than) it, null for the new end.
    Entry after;
    Entry fromOld = oldest[t];
    Entry fromNew = newerBound == null ? newest[t] : newerBound.older;
    Entry lastNewer = newerBound;
    while (true) {
      if (fromOld == null || fromOld.order > order) {
        after = fromOld;
        break;
      }
      if (fromNew == null || fromNew.order < order) {
        after = lastNewer;
        break;
      }
      lastNewer = fromNew;
      fromNew = fromNew.older;
      fromOld = fromOld.newer;
    }
    Entry before = after == null ? newest[t] : after.older;
    e.newer = after;
    e.older = before;
    if (after == null) {
      newest[t] = e;
    } else {
      after.older = e;
    }
    if (before == null) {
      oldest[t] = e;
    } else {
      before.newer = e;
    }
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
