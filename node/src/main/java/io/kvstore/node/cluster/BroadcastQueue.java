package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Update;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Membership updates waiting to be piggybacked: each is sent a limited number of times
 * (λ·log N), least-sent first, and a newer update about a member replaces an older one. Taking
 * k updates costs O(k log n), so a burst of thousands of updates stays cheap.
 */
final class BroadcastQueue {
  private static final class Entry {
    final Update update;
    final long order;
    final int size;
    int transmits;

    Entry(Update update, long order) {
      this.update = update;
      this.order = order;
      this.size = SwimCodec.size(update);
    }
  }

  private static final Comparator<Entry> LEAST_SENT_NEWEST_FIRST =
      Comparator.comparingInt((Entry e) -> e.transmits).thenComparingLong(e -> -e.order);

  private final Map<NodeId, Entry> byMember = new HashMap<>();
  private final TreeSet<Entry> queue = new TreeSet<>(LEAST_SENT_NEWEST_FIRST);
  private long nextOrder;

  void add(Update update) {
    Entry old = byMember.remove(update.id());
    if (old != null) {
      queue.remove(old);
    }
    Entry e = new Entry(update, nextOrder++);
    byMember.put(update.id(), e);
    queue.add(e);
  }

  boolean isEmpty() {
    return byMember.isEmpty();
  }

  int size() {
    return byMember.size();
  }

  /**
   * Takes updates that fit in {@code budgetBytes}, least transmitted (then newest) first, counting
   * a transmission for each and retiring those sent {@code limit} times.
   */
  List<Update> take(int budgetBytes, int limit) {
    List<Update> taken = new ArrayList<>();
    List<Entry> sent = new ArrayList<>();
    int used = 0;
    for (Entry e : queue) {
      if (used + e.size > budgetBytes) {
        if (budgetBytes - used < 24) {
          break; // nothing else will fit either
        }
        continue;
      }
      used += e.size;
      taken.add(e.update);
      sent.add(e);
      if (sent.size() >= 256) {
        break;
      }
    }
    for (Entry e : sent) {
      queue.remove(e);
      if (++e.transmits >= limit) {
        byMember.remove(e.update.id());
      } else {
        queue.add(e);
      }
    }
    return taken;
  }
}
