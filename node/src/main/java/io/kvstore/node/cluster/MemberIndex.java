package io.kvstore.node.cluster;

import io.kvstore.node.cluster.MemberTable.Record;
import io.kvstore.node.cluster.SwimMessage.Update;
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
 */
final class MemberIndex implements Iterable<Record> {
  private static final int INITIAL_CAPACITY = 16;

  private Record[] buckets = new Record[INITIAL_CAPACITY];
  private int size;

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
   * Reads the bucket and first record of each update's member, one independent load after the
   * other, so that their cache misses overlap instead of following one another as the lookups
   * of a message's updates, one at a time, would (in the simulator a node's table is rarely in
   * cache). Returns a value made of what was read, so that the reads are not optimised away.
   */
  int touch(List<Update> updates) {
    Record[] b = buckets;
    int mask = b.length - 1;
    int read = 0;
    for (int i = 0, n = updates.size(); i < n; i++) {
      Record r = b[hash(updates.get(i).id()) & mask];
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
