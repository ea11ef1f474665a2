package io.kvstore.simulator;

import java.util.PriorityQueue;

/**
 * The simulation's pending events in (time, sequence) order: a timing wheel of one slot per
 * virtual millisecond for the next {@link #WHEEL_MILLIS}, each slot a list in insertion order
 * (which is sequence order), and a heap for events further ahead. Adding and taking an event
 * near the present cost O(1), where the single heap it replaces cost O(log n) of cache-missing
 * sift steps per event (a hundred thousand pending events at 1,000 nodes).
 *
 * <p>Why the order is exactly the heap's: the wheel covers [base, base + WHEEL_MILLIS), where
 * base is the time of the last event taken. An event beyond goes to the heap, and when base
 * advances, the heap's events that come into range move to their slots (in heap order) before
 * anything can be added to those slots directly.
 */
final class EventQueue {
  static final int WHEEL_MILLIS = 1 << 16;
  private static final int MASK = WHEEL_MILLIS - 1;
  /**
   * Cancelled events are dropped all at once when they outnumber the live ones and are at least
   * this many (a purge walks every slot of the wheel, so it is amortised over as many cancels).
   */
  static final int PURGE_AT_LEAST = WHEEL_MILLIS;

  private final Simulation.Event[] heads = new Simulation.Event[WHEEL_MILLIS];
  private final Simulation.Event[] tails = new Simulation.Event[WHEEL_MILLIS];
  private final PriorityQueue<Simulation.Event> later = new PriorityQueue<>();
  private long base;
  private int inWheel;
  /** Cancelled events still queued (skipped when their time comes, unless purged first). */
  private int cancelled;

  EventQueue(long startMillis) {
    this.base = startMillis;
  }

  void add(Simulation.Event e) {
    e.queue = this;
    if (e.time < base) {
      rewindTo(e.time);
    }
    if (e.time - base < WHEEL_MILLIS) {
      append(e);
    } else {
      later.add(e);
    }
  }

  boolean isEmpty() {
    return inWheel == 0 && later.isEmpty();
  }

  /** Queued events, cancelled ones included. */
  int size() {
    return inWheel + later.size();
  }

  /** Cancelled events still queued. */
  int cancelled() {
    return cancelled;
  }

  /**
   * A queued event was cancelled. They used to stay until their time (timers re-armed every
   * probe: millions at 5,000 nodes), costing memory and heap sifts; once they outnumber the live
   * ones, all of them go. The order of the others is unchanged, so runs are as before.
   */
  void cancelledOne() {
    cancelled++;
    if (cancelled >= PURGE_AT_LEAST && cancelled > size() - cancelled) {
      purge();
    }
  }

  private void purge() {
    for (int slot = 0; slot < WHEEL_MILLIS; slot++) {
      Simulation.Event kept = null;
      for (Simulation.Event e = heads[slot], next; e != null; e = next) {
        next = e.next;
        if (e.isCancelled()) {
          e.next = null;
          inWheel--;
        } else {
          if (kept == null) {
            heads[slot] = e;
          } else {
            kept.next = e;
          }
          kept = e;
        }
      }
      if (kept == null) {
        heads[slot] = null;
      } else {
        kept.next = null;
      }
      tails[slot] = kept;
    }
    later.removeIf(Simulation.Event::isCancelled); // a total order: the rest come out as before
    cancelled = 0;
  }

  /** The next event, or null. */
  Simulation.Event peek() {
    if (inWheel == 0) {
      return later.peek();
    }
    return heads[nextSlot()];
  }

  /** Takes the next event, or null. */
  Simulation.Event poll() {
    if (inWheel == 0) {
      Simulation.Event e = later.poll();
      if (e != null) {
        taken(e);
        advanceTo(e.time);
      }
      return e;
    }
    int slot = nextSlot();
    Simulation.Event e = heads[slot];
    heads[slot] = e.next;
    if (e.next == null) {
      tails[slot] = null;
    }
    e.next = null;
    inWheel--;
    taken(e);
    advanceTo(e.time);
    return e;
  }

  private void taken(Simulation.Event e) {
    e.queue = null;
    if (e.isCancelled()) {
      cancelled--;
    }
  }

  private int nextSlot() {
    for (long t = base; ; t++) { // ends: the wheel holds an event within [base, base + WHEEL_MILLIS)
      int slot = (int) (t & MASK);
      if (heads[slot] != null) {
        return slot;
      }
    }
  }

  private void advanceTo(long time) {
    base = time;
    while (!later.isEmpty() && later.peek().time - base < WHEEL_MILLIS) {
      append(later.poll());
    }
  }

  /**
   * An event earlier than the last one taken (the wall clock was set back): everything goes back
   * to the heap and the wheel starts again from there. The simulator never does this.
   */
  private void rewindTo(long time) {
    for (int slot = 0; slot < WHEEL_MILLIS; slot++) {
      for (Simulation.Event e = heads[slot], next; e != null; e = next) {
        next = e.next;
        e.next = null;
        later.add(e);
      }
      heads[slot] = null;
      tails[slot] = null;
    }
    inWheel = 0;
    advanceTo(time);
  }

  private void append(Simulation.Event e) {
    int slot = (int) (e.time & MASK);
    if (tails[slot] == null) {
      heads[slot] = e;
    } else {
      tails[slot].next = e;
    }
    tails[slot] = e;
    inWheel++;
  }
}
