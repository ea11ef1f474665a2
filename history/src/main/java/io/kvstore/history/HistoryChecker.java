package io.kvstore.history;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link History} key by key as a register (see {@link KeyChecker}): no phantom values,
 * no lost acknowledged write, no resurrection after an acknowledged delete. O(n log n) time and
 * O(n) memory for n operations in all; a million operations take about a second.
 */
public final class HistoryChecker {
  /** How many violations a result keeps with their histories (all are counted). */
  public static final int DEFAULT_SHOWN = 10;

  private HistoryChecker() {}

  public static CheckResult check(History history) {
    return check(history.ops(), history.truncatedAtNanos(), history.dropped(), DEFAULT_SHOWN);
  }

  /**
   * @param horizonNanos reads ending at or after this instant are skipped (a dropped operation
   *     might explain them); Long.MAX_VALUE to check all
   */
  public static CheckResult check(List<Op> ops, long horizonNanos, long dropped, int maxShown) {
    Map<ByteBuffer, List<Op>> byKey = new HashMap<>();
    for (Op op : ops) {
      byKey.computeIfAbsent(ByteBuffer.wrap(op.key()), k -> new ArrayList<>()).add(op);
    }
    CheckResult result = new CheckResult(maxShown);
    result.dropped(dropped);
    for (List<Op> onKey : byKey.values()) {
      result.key(onKey.size());
      new KeyChecker(onKey.get(0).key(), onKey).check(horizonNanos, result);
    }
    return result;
  }
}
