package io.kvstore.node.transport;

import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests this node forwarded to their owners and is waiting to relay. Shared by all event
 * loops: the owner's reply may arrive on any socket, so the entry remembers the handler (and so
 * the event loop) that must answer the client. Bounded; entries expire if the owner never
 * answers (the client then retries, and the owner's reply cache keeps it at-most-once).
 */
final class Forwarder {
  /** What to do when the owner answers. */
  record Pending(RequestHandler handler, InetSocketAddress client, long idHi, long idLo,
      long fingerprint, boolean cacheable, long createdNanos) {}

  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong numbers = new AtomicLong(System.nanoTime());
  private final int capacity;
  private final long timeoutNanos;
  final LongAdder forwarded = new LongAdder();
  final LongAdder expired = new LongAdder();

  Forwarder(int capacity, long timeoutMillis) {
    this.capacity = capacity;
    this.timeoutNanos = timeoutMillis * 1_000_000L;
  }

  /** Registers a forward; returns its number, or -1 when too many are outstanding. */
  long register(Pending p) {
    if (pending.size() >= capacity) {
      return -1;
    }
    long number = numbers.incrementAndGet();
    pending.put(number, p);
    forwarded.increment();
    return number;
  }

  /** The pending forward a reply completes, removed; null if unknown or expired. */
  Pending complete(long number) {
    return pending.remove(number);
  }

  /** Drops forwards whose owner did not answer in time. */
  void expire(long nowNanos) {
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      if (nowNanos - it.next().createdNanos() > timeoutNanos) {
        it.remove();
        expired.increment();
      }
    }
  }

  int outstanding() {
    return pending.size();
  }
}
