package io.kvstore.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** What a {@link HistoryChecker} run checked and found. Every violation is counted; the first few are kept. */
public final class CheckResult {
  private final int maxShown;
  private final List<Violation> shown = new ArrayList<>();
  private final Map<Violation.Type, Long> counts = new EnumMap<>(Violation.Type.class);
  private long keys;
  private long operations;
  private long readsChecked;
  private long readsSkipped;
  private long readsUnanswered;
  private long acknowledgedWrites;
  private long unknownWrites;
  private long failedWrites;
  private long droppedOperations;

  CheckResult(int maxShown) {
    this.maxShown = maxShown;
    for (Violation.Type t : Violation.Type.values()) {
      counts.put(t, 0L);
    }
  }

  void key(int opsOnKey) {
    keys++;
    operations += opsOnKey;
  }

  void dropped(long count) {
    droppedOperations = count;
  }

  void countWrites(List<Op> mayHaveWritten, List<Op> failed) {
    for (Op w : mayHaveWritten) {
      if (w.acknowledgedWrite()) {
        acknowledgedWrites++;
      } else {
        unknownWrites++;
      }
    }
    failedWrites += failed.size();
  }

  void checkedRead() {
    readsChecked++;
  }

  void skippedRead() {
    readsSkipped++;
  }

  void unansweredRead() {
    readsUnanswered++;
  }

  void violation(Violation.Type type, Supplier<Violation> explanation) {
    counts.merge(type, 1L, Long::sum);
    if (shown.size() < maxShown) {
      shown.add(explanation.get());
    }
  }

  public boolean passed() {
    return violationCount() == 0;
  }

  public long violationCount() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  public long count(Violation.Type type) {
    return counts.get(type);
  }

  /** The first violations found (at most the checker's limit), each with its minimal history. */
  public List<Violation> violations() {
    return Collections.unmodifiableList(shown);
  }

  public long keys() {
    return keys;
  }

  public long operations() {
    return operations;
  }

  public long readsChecked() {
    return readsChecked;
  }

  /** Reads not checked because they ended after the recorder's cap dropped an operation. */
  public long readsSkipped() {
    return readsSkipped;
  }

  public long acknowledgedWrites() {
    return acknowledgedWrites;
  }

  public long unknownWrites() {
    return unknownWrites;
  }

  public long failedWrites() {
    return failedWrites;
  }

  public String summary() {
    return String.format(
        "%d operations on %d keys: %d reads checked (%d skipped past the cap, %d unanswered), %d writes acknowledged, "
            + "%d unknown, %d failed, %d dropped; violations: %d %s",
        operations, keys, readsChecked, readsSkipped, readsUnanswered, acknowledgedWrites, unknownWrites,
        failedWrites, droppedOperations, violationCount(), counts);
  }

  /** The summary and the minimal history of each violation kept. */
  public String report() {
    StringBuilder s = new StringBuilder(summary()).append('\n');
    shown.forEach(v -> s.append(v.describe()));
    if (violationCount() > shown.size()) {
      s.append("  ... and ").append(violationCount() - shown.size()).append(" more\n");
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
