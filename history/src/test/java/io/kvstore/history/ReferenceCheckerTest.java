package io.kvstore.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast checker against the rule written out literally (quadratic, obviously right), on random
 * small histories of every shape: each read gets the same verdict from both.
 */
class ReferenceCheckerTest {
  private static final Outcome[] WRITE_OUTCOMES = {Outcome.OK_WRITE, Outcome.OK_WRITE, Outcome.OK_WRITE,
      Outcome.UNKNOWN, Outcome.FAILED, null};

  /** The plan's rule, one read at a time. */
  static boolean explainedLiterally(Op read, List<Op> history) {
    List<Op> writes = history.stream()
        .filter(w -> Arrays.equals(w.key(), read.key()) && w.kind().writes() && w.outcome() != Outcome.FAILED).toList();
    // the initial absent state, as a write that ended before everything
    boolean initialHidden = writes.stream().anyMatch(w2 -> w2.acknowledgedWrite() && w2.completedNanos() < read.invokedNanos());
    if (read.outcome() == Outcome.OK_NOT_FOUND && !initialHidden) {
      return true;
    }
    for (Op w : writes) {
      boolean sameValue = read.outcome() == Outcome.OK_NOT_FOUND ? w.kind() == Kind.REMOVE
          : w.kind() == Kind.PUT && Arrays.equals(w.value(), read.value());
      if (!sameValue || w.invokedNanos() > read.completedNanos()) {
        continue;
      }
      long end = w.acknowledgedWrite() ? w.completedNanos() : Long.MAX_VALUE;
      boolean hidden = writes.stream().anyMatch(w2 -> w2.acknowledgedWrite() && w2.invokedNanos() > end
          && w2.completedNanos() < read.invokedNanos());
      if (!hidden) {
        return true;
      }
    }
    return false;
  }

  @Test
  void agreesWithTheLiteralRuleOnRandomHistories() {
    long violations = 0;
    long reads = 0;
    for (long seed = 1; seed <= 3000; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      List<Op> ops = new ArrayList<>();
      int n = 2 + random.nextInt(14);
      int values = 0;
      for (int i = 0; i < n; i++) {
        String key = "k" + random.nextInt(2);
        long start = random.nextInt(20);
        long end = start + random.nextInt(6); // equal instants on purpose
        int kind = random.nextInt(3);
        Op op;
        if (kind == 0) {
          Outcome how = WRITE_OUTCOMES[random.nextInt(WRITE_OUTCOMES.length)];
          op = new Op(i, 0, Kind.PUT, Ops.bytes(key), Ops.bytes("v" + values++), start,
              how == null ? Op.PENDING : end, how);
        } else if (kind == 1) {
          Outcome how = WRITE_OUTCOMES[random.nextInt(WRITE_OUTCOMES.length)];
          op = new Op(i, 0, Kind.REMOVE, Ops.bytes(key), null, start, how == null ? Op.PENDING : end, how);
        } else {
          boolean found = random.nextInt(3) > 0;
          byte[] value = found ? Ops.bytes("v" + random.nextInt(values + 2)) : null; // sometimes never written
          op = new Op(i, 1, Kind.GET, Ops.bytes(key), value, start, end,
              found ? Outcome.OK_VALUE : Outcome.OK_NOT_FOUND);
        }
        ops.add(op);
      }
      long expected = ops.stream().filter(op -> op.kind() == Kind.GET && !explainedLiterally(op, ops)).count();
      CheckResult r = HistoryChecker.check(ops, Long.MAX_VALUE, 0, 100);
      assertThat(r.violationCount()).as("seed %d: %s%n%s", seed, ops, r.report()).isEqualTo(expected);
      for (Violation v : r.violations()) {
        assertThat(explainedLiterally(v.read(), ops)).as("seed %d: %s", seed, v).isFalse();
      }
      violations += expected;
      reads += r.readsChecked();
    }
    assertThat(violations).as("the random histories include failing ones").isGreaterThan(1000);
    assertThat(reads - violations).as("and passing ones").isGreaterThan(1000);
  }
}
