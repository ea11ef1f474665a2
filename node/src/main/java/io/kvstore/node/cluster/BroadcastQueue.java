package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Update;
import java.util.Arrays;
import java.util.List;

/**
 * Membership updates waiting to be piggybacked: each is sent a limited number of times
 * (λ·log N), least-sent first, and a newer update about a member replaces an older one.
 *
 * <p>The queue is one {@link QueuedRun} per transmit count, each newest first, so that reading
 * the runs in turn visits the updates in the queue's order (least sent, then newest). A take
 * visits only what it sends (plus what did not fit) and moves each sent update to the next run,
 * where it almost always lands at one end: a burst of updates sent in turn arrives at the old
 * end, a fresh update at the new end.
 *
 * <p>Compact, because a node that joins a cluster of N queues an update about each of the N
 * (the simulator holds N such queues: 12 M entries at 5,000 nodes while they form). A queued
 * update is a slot in its run's arrays (12 bytes) and a slot in the by-member table (the member's
 * id and the order it was queued at, 12 bytes, linear probing at most 3/4 full, made smaller once
 * below 1/8); no object of its
 * own, so that a take reads arrays only. The run of a replaced update is found by its order.
 */
final class BroadcastQueue {
  /** At most this many updates per take (a datagram holds far fewer). */
  private static final int MAX_TAKEN = 256;

  /** runs[t]: the updates sent t times (null until one is). */
  private QueuedRun[] runs = new QueuedRun[8];
  /**
   * A lower bound of the sizes in each run (exact after a walk of all of it), so that a take
   * with less room left than any entry of a run needs does not walk it: a budget left with
   * room for a suspicion but not for an alive update would otherwise visit all of a joiner's
   * thousands of alive updates, on every message. Integer.MAX_VALUE: the run is empty.
   */
  private int[] leastSize = filled(8);
  /** By member (open addressing, linear probing): the id, null for a free slot. */
  private NodeId[] keys = new NodeId[16];
  /** By member: the order its queued update was queued at, which finds it in its run. */
  private long[] keyOrders = new long[16];
  private int size;
  private long nextOrder;
  /** Reused by {@link #take}: what it sends, with the run and the slot each was sent from. */
  private final Update[] sentUpdates = new Update[MAX_TAKEN];
  private final long[] sentWords = new long[MAX_TAKEN];
  private final int[] sentRuns = new int[MAX_TAKEN];
  private final int[] sentSlots = new int[MAX_TAKEN];

  void add(Update update) {
    NodeId id = update.id();
    int slot = slotOf(id);
    long order = nextOrder++;
    boolean replacing = keys[slot] != null;
    if (replacing) {
      removeQueued(keyOrders[slot]); // the older update about this member
    }
    keys[slot] = id;
    keyOrders[slot] = order;
    if (!replacing && ++size > keys.length / 4 * 3) {
      grow();
    }
    int bytes = SwimCodec.size(update);
    run(0).insert(update, QueuedRun.word(order, bytes)); // newest of all: the new end of the never sent
    leastSize[0] = Math.min(leastSize[0], bytes);
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
      Update[] updates = run.updates;
      long[] words = run.words;
      int firstSent = count;
      // The least size among the entries of this run not sent, if it is walked whole.
      int least = Integer.MAX_VALUE;
      boolean whole = true;
      int j = run.lo;
      for (; j < run.hi; j++) {
        if (leastSize[t] > budgetBytes - used) {
          // Nothing from here on in this run fits: the walk would stop at j (too little room
          // left for anything) or visit the rest without taking any of it.
          done = budgetBytes - used < 24;
          whole = false;
          break;
        }
        long word = words[j];
        int bytes = QueuedRun.size(word);
        boolean fits = used + bytes <= budgetBytes;
        if (count == MAX_TAKEN || (!fits && budgetBytes - used < 24)) {
          done = true; // nothing else will fit either
          whole = false;
          break;
        }
        if (fits) {
          used += bytes;
          sentUpdates[count] = updates[j];
          sentWords[count] = word;
          sentRuns[count] = t;
          sentSlots[count] = j;
          count++;
        } else {
          least = Math.min(least, bytes);
        }
      }
      if (whole) {
        leastSize[t] = least;
      }
      if (count > firstSent) {
        run.removeSent(j - run.lo, sentSlots, firstSent, count);
      }
    }
    if (count == 0) {
      return List.of();
    }
    // One array of the exact size (an ArrayList grew twice for a usual take of 16).
    Update[] taken = new Update[count];
    // In the order they were sent, so each run receives its newcomers newest first.
    for (int i = 0; i < count; i++) {
      Update u = sentUpdates[i];
      sentUpdates[i] = null;
      taken[i] = u;
      int transmits = sentRuns[i] + 1;
      if (transmits >= limit) {
        int slot = slotOf(u.id());
        if (keys[slot] == null) {
          throw new IllegalStateException("sent update about " + u.id() + " not in the by-member table");
        }
        removeKey(slot); // retired
        continue;
      }
      run(transmits).insert(u, sentWords[i]);
      leastSize[transmits] = Math.min(leastSize[transmits], QueuedRun.size(sentWords[i]));
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

  /** Takes the update queued at {@code order} out of its run (orders are unique in the queue). */
  private void removeQueued(long order) {
    for (int t = 0; t < runs.length; t++) {
      QueuedRun run = runs[t];
      if (leastSize[t] == Integer.MAX_VALUE || run == null) {
        continue; // empty
      }
      int p = run.indexOf(order);
      if (p >= 0) {
        run.removeAt(p);
        return;
      }
    }
    throw new IllegalStateException("queued update " + order + " in no run");
  }

  // ---------------------------------------------------------------- by member

  /** The slot of {@code id} in the by-member table, or the free slot where it would go. */
  private int slotOf(NodeId id) {
    int mask = keys.length - 1;
    for (int i = home(id, mask); ; i = (i + 1) & mask) {
      NodeId k = keys[i];
      if (k == null || k == id || k.equals(id)) {
        return i;
      }
    }
  }

  private static int home(NodeId id, int mask) {
    return LinearProbing.spread(id.hashCode()) & mask;
  }

  private void grow() {
    rehash(2 * keys.length);
  }

  private void rehash(int length) {
    NodeId[] oldKeys = keys;
    long[] oldOrders = keyOrders;
    keys = new NodeId[length];
    keyOrders = new long[keys.length];
    int mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      NodeId k = oldKeys[i];
      if (k != null) {
        int j = home(k, mask);
        while (keys[j] != null) {
          j = (j + 1) & mask;
        }
        keys[j] = k;
        keyOrders[j] = oldOrders[i];
      }
    }
  }

  /** Frees {@code slot} (which holds a member), moving back later keys of its cluster (no tombstones). */
  private void removeKey(int slot) {
    int mask = keys.length - 1;
    int hole = slot;
    for (int i = (hole + 1) & mask; keys[i] != null; i = (i + 1) & mask) {
      if (LinearProbing.mayFill(home(keys[i], mask), hole, i, mask)) {
        keys[hole] = keys[i];
        keyOrders[hole] = keyOrders[i];
        hole = i;
      }
    }
    keys[hole] = null;
    size--;
    if (keys.length > 64 && size < keys.length / 8) {
      rehash(Math.max(16, Integer.highestOneBit(size) * 4)); // a drained burst: give back its table
    }
  }
}
