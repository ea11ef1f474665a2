package io.kvstore.node.cluster;

import java.util.Arrays;

/**
 * The queued updates sent the same number of times, newest first, in one array (the live part
 * {@code [lo, hi)}, with room at both ends). A take reads a run's entries from its newest end one
 * after the other: in an array their addresses are known ahead, so their cache misses overlap,
 * where a linked list's walk waited for each entry before it could reach the next (in the
 * simulator, a node's queue is rarely in cache; the walk was the largest cost per event).
 *
 * <p>A sent update lands at an end of the next run almost always (a drained burst at the old end,
 * a fresh update at the new end), which costs O(1); elsewhere, and for a replaced update, the place
 * is found by binary search on {@link QueuedUpdate#order} and the shorter side moves.
 */
final class QueuedRun {
  private static final int SMALL = 16;

  QueuedUpdate[] entries = new QueuedUpdate[SMALL];
  int lo = SMALL / 2;
  int hi = SMALL / 2;

  int size() {
    return hi - lo;
  }

  /** Puts {@code e} in its place by order (newest first). */
  void insert(QueuedUpdate e) {
    if (lo == hi || e.order > entries[lo].order) {
      if (lo == 0) {
        resize();
      }
      entries[--lo] = e;
      return;
    }
    if (e.order < entries[hi - 1].order) {
      if (hi == entries.length) {
        resize();
      }
      entries[hi++] = e;
      return;
    }
    int p = firstOlder(e.order); // in (lo, hi): e goes just before it
    if (p - lo <= hi - p) {
      if (lo == 0) {
        resize();
        p = firstOlder(e.order);
      }
      System.arraycopy(entries, lo, entries, lo - 1, p - lo);
      lo--;
      entries[p - 1] = e;
    } else {
      if (hi == entries.length) {
        resize();
        p = firstOlder(e.order);
      }
      System.arraycopy(entries, p, entries, p + 1, hi - p);
      hi++;
      entries[p] = e;
    }
  }

  /** Takes {@code e} (which is in this run) out. */
  void remove(QueuedUpdate e) {
    int p = firstOlder(e.order + 1);
    if (entries[p] != e) {
      throw new IllegalStateException("not in this run");
    }
    if (p - lo <= hi - 1 - p) {
      System.arraycopy(entries, lo, entries, lo + 1, p - lo);
      entries[lo++] = null;
    } else {
      System.arraycopy(entries, p + 1, entries, p, hi - 1 - p);
      entries[--hi] = null;
    }
    shrinkIfSparse();
  }

  /**
   * Removes, from the newest {@code visited} entries, those in {@code sent[from, to)} (which are
   * among them, in the same order); the others keep their order.
   */
  void removeSent(int visited, QueuedUpdate[] sent, int from, int to) {
    int kept = lo + visited;
    int k = to - 1;
    for (int j = lo + visited - 1; j >= lo; j--) {
      QueuedUpdate e = entries[j];
      if (k >= from && sent[k] == e) {
        k--;
      } else {
        entries[--kept] = e;
      }
    }
    Arrays.fill(entries, lo, kept, null);
    lo = kept;
    shrinkIfSparse();
  }

  /** The first index in [lo, hi) whose entry is older than {@code order} (hi if none). */
  private int firstOlder(long order) {
    int a = lo, b = hi;
    while (a < b) {
      int mid = (a + b) >>> 1;
      if (entries[mid].order >= order) {
        a = mid + 1;
      } else {
        b = mid;
      }
    }
    return a;
  }

  /** Room at both ends again: the live part centred in an array twice its size (plus a margin). */
  private void resize() {
    int size = size();
    QueuedUpdate[] grown = new QueuedUpdate[Math.max(SMALL, 2 * size + SMALL)];
    int start = (grown.length - size) / 2;
    System.arraycopy(entries, lo, grown, start, size);
    entries = grown;
    lo = start;
    hi = start + size;
  }

  /** A burst drained through a run leaves it empty or nearly: give back its large array. */
  private void shrinkIfSparse() {
    if (entries.length > 4 * SMALL && size() < entries.length / 8) {
      resize();
    } else if (lo == hi) {
      lo = hi = entries.length / 2;
    }
  }
}
