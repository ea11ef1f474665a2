package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Update;
import java.util.Arrays;
import java.util.List;

/**
 * Membership updates waiting to be piggybacked: each is sent a limited number of times
 * (λ·log N), least-sent first, and a newer update about a member replaces an older one.
 *
 * <p>The queue is one {@link QueuedRun} per transmit count, each an array newest first, so that
 * reading the runs in turn visits the updates in the queue's order (least sent, then newest). A
 * take visits only what it sends (plus what did not fit) and moves each sent update to the next
 * run, where it almost always lands at one end: a burst of updates sent in turn arrives at the
 * old end, a fresh update at the new end.
 *
 * <p>Compact, because a node that joins a cluster of N queues an update about each of the N
 * (the simulator holds N such queues: 12 M entries at 5,000 nodes while they form). Each entry
 * is a {@link QueuedUpdate} of 40 bytes, also the link of the chained table that finds it by
 * member, plus its slot in its run's array.
 */
final class BroadcastQueue {
  /** At most this many updates per take (a datagram holds far fewer). */
  private static final int MAX_TAKEN = 256;

  /** runs[t]: the entries sent t times (null until one is). */
  private QueuedRun[] runs = new QueuedRun[8];
  /**
   * A lower bound of the sizes in each run (exact after a walk of all of it), so that a take
   * with less room left than any entry of a run needs does not walk it: a budget left with
   * room for a suspicion but not for an alive update would otherwise visit all of a joiner's
   * thousands of alive updates, on every message.
   */
  private int[] leastSize = filled(8);
  private QueuedUpdate[] buckets = new QueuedUpdate[16];
  private int size;
  private long nextOrder;
  /** Reused by {@link #take}: the entries it sends. */
  private final QueuedUpdate[] sent = new QueuedUpdate[MAX_TAKEN];

  void add(Update update) {
    QueuedUpdate old = find(update.id());
    if (old != null) {
      unlink(old);
      runs[old.transmits].remove(old);
    }
    QueuedUpdate e = new QueuedUpdate(update, nextOrder++);
    link(e);
    run(0).insert(e); // newest of all: the new end of the never sent
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
   * a transmission for each and retiring those sent {@code limit} times. The list is fixed-size.
   */
  List<Update> take(int budgetBytes, int limit) {
    int count = 0;
    int used = 0;
    boolean done = false;
    for (int t = 0; t < runs.length && !done; t++) {
      if (leastSize[t] == Integer.MAX_VALUE) {
        continue; // empty (a run with an entry has a bound below): not worth a cache miss on the run
      }
      QueuedRun run = runs[t];
      if (run == null || run.lo == run.hi) {
        leastSize[t] = Integer.MAX_VALUE;
        continue;
      }
      QueuedUpdate[] entries = run.entries;
      int firstSent = count;
      // The least size among the entries of this run not sent, if it is walked whole.
      int least = Integer.MAX_VALUE;
      boolean whole = true;
      int j = run.lo;
      for (; j < run.hi; j++) {
        QueuedUpdate e = entries[j];
        if (leastSize[t] > budgetBytes - used) {
          // Nothing from here on in this run fits: the walk would stop at e (too little room
          // left for anything) or visit the rest without taking any of it.
          done = budgetBytes - used < 24;
          whole = false;
          break;
        }
        boolean fits = used + e.size <= budgetBytes;
        if (count == MAX_TAKEN || (!fits && budgetBytes - used < 24)) {
          done = true; // nothing else will fit either
          whole = false;
          break;
        }
        if (fits) {
          used += e.size;
          sent[count++] = e;
        } else {
          least = Math.min(least, e.size);
        }
      }
      if (whole) {
        leastSize[t] = least;
      }
      if (count > firstSent) {
        run.removeSent(j - run.lo, sent, firstSent, count);
      }
    }
    if (count == 0) {
      return List.of();
    }
    // One array of the exact size (an ArrayList grew twice for a usual take of 16).
    Update[] taken = new Update[count];
    // In the order they were sent, so each run receives its newcomers newest first.
    for (int i = 0; i < count; i++) {
      QueuedUpdate s = sent[i];
      sent[i] = null;
      taken[i] = s.update;
      if (++s.transmits >= limit) {
        unlink(s);
        continue;
      }
      run(s.transmits).insert(s);
      leastSize[s.transmits] = Math.min(leastSize[s.transmits], s.size);
    }
    return Arrays.asList(taken);
  }

  // ---------------------------------------------------------------- the runs by transmit count

  private static int[] filled(int length) {
    int[] a = new int[length];
    Arrays.fill(a, Integer.MAX_VALUE);
    return a;
  }

  private QueuedRun run(int t) {
    if (t >= runs.length) {
      int length = Math.max(t + 1, 2 * runs.length);
      runs = Arrays.copyOf(runs, length);
      int known = leastSize.length;
      leastSize = Arrays.copyOf(leastSize, length);
      Arrays.fill(leastSize, known, length, Integer.MAX_VALUE);
    }
    if (runs[t] == null) {
      runs[t] = new QueuedRun();
    }
    return runs[t];
  }

  // ---------------------------------------------------------------- by member

  private QueuedUpdate find(NodeId id) {
    int h = MemberIndex.hash(id);
    for (QueuedUpdate e = buckets[h & (buckets.length - 1)]; e != null; e = e.nextInBucket) {
      if (e.hash == h && e.update.id().equals(id)) {
        return e;
      }
    }
    return null;
  }

  private void link(QueuedUpdate e) {
    int i = e.hash & (buckets.length - 1);
    e.nextInBucket = buckets[i];
    buckets[i] = e;
    if (++size > buckets.length / 4 * 3) {
      QueuedUpdate[] old = buckets;
      buckets = new QueuedUpdate[old.length * 2];
      for (QueuedUpdate head : old) {
        for (QueuedUpdate b = head, next; b != null; b = next) {
          next = b.nextInBucket;
          int j = b.hash & (buckets.length - 1);
          b.nextInBucket = buckets[j];
          buckets[j] = b;
        }
      }
    }
  }

  private void unlink(QueuedUpdate e) {
    int i = e.hash & (buckets.length - 1);
    if (buckets[i] == e) {
      buckets[i] = e.nextInBucket;
    } else {
      QueuedUpdate b = buckets[i];
      while (b.nextInBucket != e) {
        b = b.nextInBucket;
      }
      b.nextInBucket = e.nextInBucket;
    }
    e.nextInBucket = null;
    size--;
  }
}
