package io.kvstore.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Correct stores pass; the same histories with one read turned stale fail; a million operations are quick. */
class LinearizableHistoriesTest {
  @Test
  void historiesOfACorrectStorePass() {
    for (long seed = 1; seed <= 200; seed++) {
      List<Op> ops = LinearizableHistories.generate(seed, 2_000, 20, 8);
      CheckResult r = HistoryChecker.check(ops, Long.MAX_VALUE, 0, 5);
      assertThat(r.passed()).as("seed %d: %s", seed, r.report()).isTrue();
      assertThat(r.readsChecked()).isGreaterThan(600);
    }
  }

  @Test
  void aReadAnsweredWithAValueOverwrittenLongBeforeFails() {
    List<Op> ops = new ArrayList<>(LinearizableHistories.generate(7, 5_000, 5, 4));
    Op firstPut = ops.stream().filter(op -> op.kind() == Kind.PUT && op.acknowledgedWrite()).findFirst().orElseThrow();
    // a read of the same key, much later, answered with that first value
    long later = ops.get(ops.size() - 1).completedNanos() + 1_000;
    ops.add(new Op(ops.size(), 99, Kind.GET, firstPut.key(), firstPut.value(), later, later + 10, Outcome.OK_VALUE));
    CheckResult r = HistoryChecker.check(ops, Long.MAX_VALUE, 0, 5);
    assertThat(r.violationCount()).as(r.report()).isEqualTo(1);
    assertThat(r.count(Violation.Type.LOST_WRITE) + r.count(Violation.Type.RESURRECTION)).isEqualTo(1);
    assertThat(r.violations().get(0).candidates()).contains(firstPut);
  }

  @Test
  void aMillionOperationsWithAHotKeyAreCheckedInSeconds() {
    List<Op> ops = LinearizableHistories.generate(42, 1_000_000, 1_000, 64); // key 0 gets 500,000
    long start = System.nanoTime();
    CheckResult r = HistoryChecker.check(ops, Long.MAX_VALUE, 0, 5);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.passed()).as(r.report()).isTrue();
    assertThat(r.operations()).isEqualTo(1_000_000);
    System.out.printf("checked %s in %d ms%n", r.summary(), millis);
    assertThat(millis).as("quadratic on the hot key would take minutes").isLessThan(30_000);
  }
}
