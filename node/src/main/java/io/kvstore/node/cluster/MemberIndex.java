package io.kvstore.node.cluster;

import io.kvstore.node.cluster.MemberTable.Record;
import io.kvstore.node.cluster.SwimMessage.Update;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The member table's records by id: a chained hash table laid out as {@link java.util.HashMap}
 * lays out its entries (same bucket function, doubling past 3/4 load and never shrinking, a new
 * record at the end of its bucket), with the chain links in the records themselves. A HashMap
 * adds a 32-byte node per entry, and the simulator holds one table per simulated node: 25 M
 * entries at 5,000 nodes, 0.8 GB of nodes alone. Iterating in HashMap's order keeps the full
 * states that push-pull sends, and so every simulation's trace, as they were.
 *
 * <p>Beside it, for ids with a {@link NodeId#denseIndex dense index} (the simulator's), two arrays
 * by that index say whether the member is live and at which incarnation: nearly every update a
 * message carries is an alive update already known, and answering that from an array of 12 bytes
 * per member, rather than a bucket and a record in a table of a thousand, saves the cache misses
 * that were the largest cost per event at 1,000 simulated nodes. Ids without one (a real node's,
 * decoded afresh) leave the arrays empty.
 */
final class MemberIndex implements Iterable<Record> {
  private static final int INITIAL_CAPACITY = 16;

  /** Dense indexes from here on are ignored (found by hash), which bounds the arrays below. */
  static final int MAX_DENSE_INDEX = 1 << 20;
  /** Answers of {@link #liveAtLeast}. */
  static final int NO = 0, YES = 1, ASK_THE_RECORD = -1;

  private Record[] buckets = new Record[INITIAL_CAPACITY];
  private int size;
  /** By dense index: the id instance of the record that entry describes, or null. */
  private NodeId[] denseIds = new NodeId[0];
  /** By dense index: that record's incarnation while it is live, else -1. */
  private long[] liveIncarnation = new long[0];

  /** HashMap's bucket hash: the high bits folded into the low ones that pick the bucket. */
  static int hash(NodeId id) {
    int h = id.hashCode();
    return h ^ (h >>> 16);
  }

  int size() {
    return size;
  }

  Record get(NodeId id) {
    int hash = hash(id);
    for (Record r = buckets[hash & (buckets.length - 1)]; r != null; r = r.next) {
      if (r.hash == hash && (r.id == id || r.id.equals(id))) {
        return r;
      }
    }
    return null;
  }

  /**
   * Whether {@code id}'s member is live at {@code incarnation} or a later one, if the dense arrays
   * know: {@link #YES} or {@link #NO}; {@link #ASK_THE_RECORD} if only {@link #get} can tell (an id
   * without a dense index, or one whose record has an equal id that is another instance).
   */
  int liveAtLeast(NodeId id, long incarnation) {
    int d = id.denseIndex();
    if (d < 0 || d >= denseIds.length || denseIds[d] != id) {
      return ASK_THE_RECORD;
    }
    return liveIncarnation[d] >= incarnation ? YES : NO;
  }

  /** Copies the record's state and incarnation into the dense arrays (after any change to them). */
  void sync(Record r) {
    int d = r.id.denseIndex();
    if (d >= 0 && d < denseIds.length && denseIds[d] == r.id) {
      liveIncarnation[d] = r.state.isLive() ? r.incarnation : -1;
    }
  }

  /**
   * Reads the bucket and first record of each update's member, one independent load after the
   * other, so that their cache misses overlap instead of following one another as the lookups
   * of a message's updates, one at a time, would (in the simulator a node's table is rarely in
   * cache). Returns a value made of what was read, so that the reads are not optimised away.
   */
  int touch(List<Update> updates) {
    Record[] b = buckets;
    int mask = b.length - 1;
    int read = 0;
    NodeId[] ids = denseIds;
    long[] live = liveIncarnation;
    for (int i = 0, n = updates.size(); i < n; i++) {
      NodeId id = updates.get(i).id();
      int d = id.denseIndex();
      if (d >= 0 && d < ids.length) {
        if (ids[d] == id) {
          read += (int) live[d];
        }
        continue; // the arrays will answer (or its record is not in the table yet)
      }
      Record r = b[hash(id) & mask];
      if (r != null) {
        read += r.hash;
      }
    }
    return read;
  }

  /** Adds a record whose id is not in the index. */
  void add(Record record) {
    int i = record.hash & (buckets.length - 1);
    if (buckets[i] == null) {
      buckets[i] = record;
    } else {
      Record last = buckets[i];
      while (last.next != null) {
        last = last.next;
      }
      last.next = record;
    }
    if (++size > buckets.length / 4 * 3) {
      grow();
    }
    int d = record.id.denseIndex();
    if (d >= 0 && d < MAX_DENSE_INDEX) {
      if (d >= denseIds.length) {
        int length = Math.min(MAX_DENSE_INDEX, (d | 63) + 1);
        int known = denseIds.length;
        denseIds = Arrays.copyOf(denseIds, length);
        liveIncarnation = Arrays.copyOf(liveIncarnation, length);
        Arrays.fill(liveIncarnation, known, length, -1);
      }
      if (denseIds[d] == null) {
        denseIds[d] = record.id;
        sync(record);
      }
    }
  }

  /** Removes this very record; false if it is not in the index. */
  boolean remove(Record record) {
    int i = record.hash & (buckets.length - 1);
    Record previous = null;
    for (Record r = buckets[i]; r != null; previous = r, r = r.next) {
      if (r == record) {
        if (previous == null) {
          buckets[i] = r.next;
        } else {
          previous.next = r.next;
        }
        r.next = null;
        size--;
        int d = r.id.denseIndex();
        if (d >= 0 && d < denseIds.length && denseIds[d] == r.id) {
          denseIds[d] = null;
          liveIncarnation[d] = -1;
        }
        return true;
      }
    }
    return false;
  }

  /** Doubles the buckets; each chain splits in two, keeping its order (as HashMap's resize). */
  private void grow() {
    Record[] old = buckets;
    Record[] grown = new Record[old.length * 2];
    for (int i = 0; i < old.length; i++) {
      Record lowHead = null, lowTail = null, highHead = null, highTail = null;
      for (Record r = old[i], next; r != null; r = next) {
        next = r.next;
        r.next = null;
        if ((r.hash & old.length) == 0) {
          if (lowTail == null) {
            lowHead = r;
          } else {
            lowTail.next = r;
          }
          lowTail = r;
        } else {
          if (highTail == null) {
            highHead = r;
          } else {
            highTail.next = r;
          }
          highTail = r;
        }
      }
      grown[i] = lowHead;
      grown[i + old.length] = highHead;
    }
    buckets = grown;
  }

  /** Bucket by bucket, each in insertion order: HashMap's iteration order. Do not add or remove meanwhile. */
  @Override
  public Iterator<Record> iterator() {
    return new Iterator<>() {
      private int bucket = -1;
      private Record next = advance(null);

      private Record advance(Record current) {
        if (current != null && current.next != null) {
          return current.next;
        }
        while (++bucket < buckets.length) {
          if (buckets[bucket] != null) {
            return buckets[bucket];
          }
        }
        return null;
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Record next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Record r = next;
        next = advance(r);
        return r;
      }
    };
  }
}
