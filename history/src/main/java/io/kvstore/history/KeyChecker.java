package io.kvstore.history;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The register check of one key (REPLICATION-PLAN.md): a GET that answered must be explained by
 * a write w invoked before the GET ended, such that no acknowledged write w2 both started after w
 * ended and ended before the GET was invoked. An unknown write never ends (it may explain any
 * later read, it hides nothing); a failed one never happened; the initial state is absent.
 *
 * <p>Rewritten: w is hidden iff w.end &lt; M(read), where M(read) is the latest start among the
 * acknowledged writes that ended before the read was invoked. So with the acknowledged writes
 * sorted by end (with a running maximum of starts) M is one binary search; a value read looks up
 * the write of its (unique) value; a not-found read asks whether some REMOVE invoked before the
 * read ended ends at or after M: the REMOVEs sorted by start with a running maximum of ends make
 * that one binary search too. Time O(n log n) per key of n operations, memory O(n); a hot key
 * costs no more than many cold ones.
 */
final class KeyChecker {
  private static final int SHOWN = 3;

  private final byte[] key;
  private final List<Op> writes = new ArrayList<>();
  private final List<Op> failedWrites = new ArrayList<>();
  private final List<Op> reads = new ArrayList<>();
  private final Map<ByteBuffer, List<Op>> writesByValue = new HashMap<>();
  // acknowledged writes by end; hiderAt[i] = the one with the latest start among the first i + 1
  private Op[] acknowledgedByEnd;
  private long[] acknowledgedEnds;
  private int[] hiderAt;
  // REMOVEs that may have happened, by start; latestEndAt[i] = the latest end among the first i + 1
  private Op[] removesByStart;
  private long[] removeStarts;
  private long[] latestEndAt;

  KeyChecker(byte[] key, List<Op> ops) {
    this.key = key;
    for (Op op : ops) {
      if (op.kind() == Kind.GET) {
        reads.add(op);
      } else if (op.mayHaveWritten()) {
        writes.add(op);
        if (op.kind() == Kind.PUT) {
          writesByValue.computeIfAbsent(ByteBuffer.wrap(op.value()), v -> new ArrayList<>(1)).add(op);
        }
      } else {
        failedWrites.add(op);
      }
    }
    index();
  }

  /** An unknown (or pending) write never ends. */
  private static long end(Op write) {
    return write.acknowledgedWrite() ? write.completedNanos() : Long.MAX_VALUE;
  }

  private void index() {
    acknowledgedByEnd = writes.stream().filter(Op::acknowledgedWrite)
        .sorted(Comparator.comparingLong(Op::completedNanos)).toArray(Op[]::new);
    acknowledgedEnds = new long[acknowledgedByEnd.length];
    hiderAt = new int[acknowledgedByEnd.length];
    for (int i = 0; i < acknowledgedByEnd.length; i++) {
      acknowledgedEnds[i] = acknowledgedByEnd[i].completedNanos();
      boolean later = i == 0 || acknowledgedByEnd[i].invokedNanos() > acknowledgedByEnd[hiderAt[i - 1]].invokedNanos();
      hiderAt[i] = later ? i : hiderAt[i - 1];
    }
    removesByStart = writes.stream().filter(w -> w.kind() == Kind.REMOVE)
        .sorted(Comparator.comparingLong(Op::invokedNanos)).toArray(Op[]::new);
    removeStarts = new long[removesByStart.length];
    latestEndAt = new long[removesByStart.length];
    for (int i = 0; i < removesByStart.length; i++) {
      removeStarts[i] = removesByStart[i].invokedNanos();
      latestEndAt[i] = Math.max(end(removesByStart[i]), i == 0 ? Long.MIN_VALUE : latestEndAt[i - 1]);
    }
  }

  /**
   * Checks every answered read completing before {@code horizonNanos} (later ones are counted as
   * skipped), adding what it finds to {@code result}.
   */
  void check(long horizonNanos, CheckResult result) {
    result.countWrites(writes, failedWrites);
    for (Op read : reads) {
      if (!read.answeredRead()) {
        result.unansweredRead();
        continue;
      }
      if (read.completedNanos() >= horizonNanos) {
        result.skippedRead();
        continue;
      }
      result.checkedRead();
      Violation.Type type = classify(read);
      if (type != null) {
        result.violation(type, () -> explain(type, read));
      }
    }
  }

  /** The acknowledged write ended before {@code nanos} that started last, or null. */
  private Op hiderBefore(long nanos) {
    int ended = firstAtOrAfter(acknowledgedEnds, nanos);
    return ended == 0 ? null : acknowledgedByEnd[hiderAt[ended - 1]];
  }

  /** The earliest end a write must have to explain {@code read}. */
  private long mustEndAtOrAfter(Op read) {
    Op hider = hiderBefore(read.invokedNanos());
    return hider == null ? Long.MIN_VALUE : hider.invokedNanos();
  }

  private Violation.Type classify(Op read) {
    long horizon = mustEndAtOrAfter(read);
    if (read.outcome() == Outcome.OK_NOT_FOUND) {
      if (horizon == Long.MIN_VALUE) {
        return null; // the initial absent state is still visible
      }
      int invoked = firstAfter(removeStarts, read.completedNanos());
      return invoked > 0 && latestEndAt[invoked - 1] >= horizon ? null : Violation.Type.LOST_WRITE;
    }
    List<Op> writers = writesByValue.getOrDefault(ByteBuffer.wrap(read.value()), List.of());
    boolean invokedInTime = false;
    for (Op w : writers) {
      if (w.invokedNanos() <= read.completedNanos()) {
        invokedInTime = true;
        if (end(w) >= horizon) {
          return null;
        }
      }
    }
    if (!invokedInTime) {
      return Violation.Type.PHANTOM_VALUE;
    }
    return hiderBefore(read.invokedNanos()).kind() == Kind.REMOVE ? Violation.Type.RESURRECTION
        : Violation.Type.LOST_WRITE;
  }

  /** The minimal history of a violation (linear in the key's writes: only for violations shown). */
  private Violation explain(Violation.Type type, Op read) {
    Op hider = type == Violation.Type.PHANTOM_VALUE ? null : hiderBefore(read.invokedNanos());
    List<Op> candidates = new ArrayList<>();
    if (read.outcome() == Outcome.OK_NOT_FOUND) {
      int invoked = firstAfter(removeStarts, read.completedNanos());
      Op[] seeable = Arrays.copyOf(removesByStart, invoked);
      Arrays.sort(seeable, Comparator.comparingLong(KeyChecker::end).reversed());
      candidates.addAll(Arrays.asList(seeable).subList(0, Math.min(SHOWN, seeable.length)));
    } else {
      writesByValue.getOrDefault(ByteBuffer.wrap(read.value()), List.of()).stream().limit(SHOWN)
          .forEach(candidates::add);
      failedWrites.stream().filter(w -> w.kind() == Kind.PUT && Arrays.equals(w.value(), read.value()))
          .limit(SHOWN).forEach(candidates::add);
    }
    long horizon = mustEndAtOrAfter(read);
    List<Op> allowed = writes.stream()
        .filter(w -> w.invokedNanos() <= read.completedNanos() && end(w) >= horizon)
        .sorted(Comparator.comparingLong(Op::invokedNanos).reversed()).limit(SHOWN).toList();
    return new Violation(type, key, read, hider, candidates, allowed);
  }

  /** The number of elements below {@code value} in a sorted array. */
  private static int firstAtOrAfter(long[] sorted, long value) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The number of elements at or below {@code value} in a sorted array. */
  private static int firstAfter(long[] sorted, long value) {
    return value == Long.MAX_VALUE ? sorted.length : firstAtOrAfter(sorted, value + 1);
  }
}
