package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Update;
import java.util.Arrays;

/**
 * The queued updates sent the same number of times, newest first, as two arrays side by side
 * (the update, and its order and encoded size in one word; the live part {@code [lo, hi)}, with
 * room at both ends). A take reads a run's slots from its newest end one after the other, so it reads only
 * these arrays, in address order, and the update itself only to send it (an update about a node's
 * own liveness is one instance shared by every queue in the simulator, so mostly in cache). An
 * object per queued update, whose size and order were read at each step, cost a cache miss per
 * update sent (in the simulator, a node's queue is rarely in cache; the queue was the largest cost
 * per event).
 *
 * <p>A sent update lands at an end of the next run almost always (a drained burst at the old end,
 * a fresh update at the new end), which costs O(1); elsewhere, and for a replaced update, the place
 * is found by binary search on the orders and the shorter side moves.
 */
final class QueuedRun {
  private static final int SMALL = 16;

  Update[] updates = new Update[SMALL];
  /**
   * Each one's {@link #word}: when it was queued (unique per queue) above its {@link
   * SwimCodec#size} (at most a few hundred bytes) in the low 16 bits, so that words compare as
   * their orders do: the newest (largest) first.
   */
  long[] words = new long[SMALL];
  int lo = SMALL / 2;
  int hi = SMALL / 2;

  /** An update's order (below 2^47) and size (below 2^16) as one word. */
  static long word(long order, int size) {
    return order << 16 | size;
  }

  static long order(long word) {
    return word >>> 16;
  }

  static int size(long word) {
    return (int) word & 0xFFFF;
  }

  int size() {
    return hi - lo;
  }

  /** Puts {@code update} in its place by the order in its {@code word} (newest first). */
  void insert(Update update, long word) {
    if (lo == hi || word > words[lo]) {
      if (lo == 0) {
        resize();
      }
      set(--lo, update, word);
      return;
    }
    if (word < words[hi - 1]) {
      if (hi == words.length) {
        resize();
      }
      set(hi++, update, word);
      return;
    }
    int p = firstOlder(word); // in (lo, hi): it goes just before p
    if (p - lo <= hi - p) {
      if (lo == 0) {
        resize();
        p = firstOlder(word);
      }
      move(lo, lo - 1, p - lo);
      lo--;
      set(p - 1, update, word);
    } else {
      if (hi == words.length) {
        resize();
        p = firstOlder(word);
      }
      move(p, p + 1, hi - p);
      hi++;
      set(p, update, word);
    }
  }

  /** The slot of the update queued at {@code order}, or -1 if it is not in this run. */
  int indexOf(long order) {
    long least = word(order, 0);
    long most = word(order, 0xFFFF);
    if (lo == hi || least > words[lo] || most < words[hi - 1]) {
      return -1;
    }
    int p = firstOlder(most + 1); // the first not newer than order
    return p < hi && order(words[p]) == order ? p : -1;
  }

  /** Takes the update in slot {@code p} (in {@code [lo, hi)}) out. */
  void removeAt(int p) {
    if (p - lo <= hi - 1 - p) {
      move(lo, lo + 1, p - lo);
      updates[lo++] = null;
    } else {
      move(p + 1, p, hi - 1 - p);
      updates[--hi] = null;
    }
    shrinkIfSparse();
  }

  /**
   * Removes, from the newest {@code visited} slots, those listed in {@code slots[from, to)}
   * (ascending, all among them); the others keep their order.
   */
  void removeSent(int visited, int[] slots, int from, int to) {
    int end = lo + visited;
    if (to - from == visited) { // all of them: the usual take
      Arrays.fill(updates, lo, end, null);
      lo = end;
      shrinkIfSparse();
      return;
    }
    int kept = end;
    int k = to - 1;
    for (int j = end - 1; j >= lo; j--) {
      if (k >= from && slots[k] == j) {
        k--;
      } else {
        kept--;
        updates[kept] = updates[j];
        words[kept] = words[j];
      }
    }
    Arrays.fill(updates, lo, kept, null);
    lo = kept;
    shrinkIfSparse();
  }

  private void set(int i, Update update, long word) {
    updates[i] = update;
    words[i] = word;
  }

  private void move(int from, int to, int length) {
    System.arraycopy(updates, from, updates, to, length);
    System.arraycopy(words, from, words, to, length);
  }

  /** The first index in [lo, hi) whose word is older (smaller) than {@code word} (hi if none). */
  private int firstOlder(long word) {
    int a = lo, b = hi;
    while (a < b) {
      int mid = (a + b) >>> 1;
      if (words[mid] >= word) {
        a = mid + 1;
      } else {
        b = mid;
      }
    }
    return a;
  }

  /**
   * Room at both ends again: the live part centred in arrays at least twice its size (plus a
   * margin), these if they are large enough.
   */
  private void resize() {
    int size = size();
    int length = Math.max(SMALL, 2 * size + SMALL);
    if (length <= words.length) {
      // Room enough in these arrays: centre the live part in place. A burst drained from one
      // run into the next moves through the next run's arrays like a conveyor (in at the old
      // end, out at the new one): new arrays each time an end was reached (allocated, zeroed,
      // copied) were 6.7% of the simulation's samples at 1,000 nodes.
      int start = (words.length - size) / 2;
      move(lo, start, size);
      if (start > lo) {
        Arrays.fill(updates, lo, Math.min(start, hi), null);
      } else {
        Arrays.fill(updates, Math.max(start + size, lo), hi, null);
      }
      lo = start;
      hi = start + size;
      return;
    }
    reallocate(length);
  }

  /** The live part centred in new arrays of {@code length}. */
  private void reallocate(int length) {
    int size = size();
    int start = (length - size) / 2;
    Update[] u = new Update[length];
    long[] w = new long[length];
    System.arraycopy(updates, lo, u, start, size);
    System.arraycopy(words, lo, w, start, size);
    updates = u;
    words = w;
    lo = start;
    hi = start + size;
  }

  /** A burst drained through a run leaves it empty or nearly: give back its large arrays. */
  private void shrinkIfSparse() {
    if (words.length > 4 * SMALL && size() < words.length / 8) {
      reallocate(Math.max(SMALL, 2 * size() + SMALL));
    } else if (lo == hi) {
      lo = hi = words.length / 2;
    }
  }
}
