package io.kvstore.node.ops.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results of the last {@link #CAPACITY} operations on this node, newest last: what status
 * reports carry. A result replaces the earlier one of the same operation (RUNNING, then DONE);
 * beyond the capacity the oldest operation is forgotten. Thread-safe: runner threads record,
 * the stats sampler reads.
 */
public final class RecentResults {
  public static final int CAPACITY = 16;

  private final int capacity;
  private final LinkedHashMap<String, OperationResult> byId = new LinkedHashMap<>();
  private long forgotten;

  public RecentResults() {
    this(CAPACITY);
  }

  RecentResults(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  /** Records the operation's latest result (keeps its place if it is already held). */
  public synchronized void record(OperationResult result) {
    byId.put(result.id(), result);
    while (byId.size() > capacity) {
      Map.Entry<String, OperationResult> oldest = byId.entrySet().iterator().next();
      byId.remove(oldest.getKey());
      forgotten++;
    }
  }

  /** The held results, oldest first. */
  public synchronized List<OperationResult> snapshot() {
    return new ArrayList<>(byId.values());
  }

  /** The latest result of operation {@code id}, or null. */
  public synchronized OperationResult get(String id) {
    return byId.get(id);
  }

  /** Results pushed out by newer operations since start. */
  public synchronized long forgotten() {
    return forgotten;
  }
}
