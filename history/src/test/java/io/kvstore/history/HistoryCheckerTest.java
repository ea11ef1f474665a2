package io.kvstore.history;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Hand-written histories that must pass and must fail the register check. */
class HistoryCheckerTest {
  private static void passes(Ops h) {
    CheckResult r = h.check();
    assertThat(r.passed()).as(r.report()).isTrue();
  }

  private static Violation failsOnce(Ops h, Violation.Type type) {
    CheckResult r = h.check();
    assertThat(r.violationCount()).as(r.report()).isEqualTo(1);
    assertThat(r.count(type)).as(r.report()).isEqualTo(1);
    return r.violations().get(0);
  }

  @Test
  void aReadAfterAWriteSeesIt() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.get("k", "a", 2, 3);
    passes(h);
  }

  @Test
  void theInitialStateIsAbsent() {
    Ops h = new Ops();
    h.get("k", null, 0, 1);
    h.put("k", "a", 2, 5);
    h.get("k", null, 3, 4); // concurrent with the first write
    h.get("k", "a", 3, 4);
    passes(h);
  }

  @Test
  void aReadConcurrentWithAWriteMaySeeTheOldOrTheNewValue() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.put("k", "b", 2, 6);
    h.get("k", "a", 3, 4);
    h.get("k", "b", 3, 4);
    h.get("k", "a", 5, 7); // still overlaps b
    passes(h);
  }

  @Test
  void overlappingWritesMayEndInEitherOrder() {
    Ops h = new Ops();
    h.put("k", "a", 0, 5);
    h.put("k", "b", 1, 6);
    h.get("k", "a", 7, 8);
    h.get("k", "b", 9, 10);
    h.get("k", "a", 11, 12); // not linearizable, but a regular register allows it: neither write hides the other
    passes(h);
  }

  @Test
  void equalInstantsCountAsConcurrent() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.put("k", "b", 1, 2); // starts when a ends: does not hide a
    h.get("k", "a", 2, 3); // invoked when b ends: b does not hide a
    h.get("k", "b", 0, 1); // ends when b is invoked: may see it
    passes(h);
  }

  @Test
  void anUnknownWriteMayAppearLongAfterwardsAndHidesNothing() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.put("k", "b", 2, 3, Outcome.UNKNOWN);
    h.get("k", "a", 4, 5); // b did not necessarily happen
    h.put("k", "c", 6, 7);
    h.get("k", "b", 20, 21); // b landed late (hint, repair) above c
    h.get("k", "c", 22, 23);
    h.put("k", "d", 24, 25, null); // never completed: unknown too
    h.get("k", "d", 26, 27);
    passes(h);
  }

  @Test
  void anUnknownRemoveMayExplainANotFoundLater() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.remove("k", 2, 3, Outcome.UNKNOWN);
    h.put("k", "b", 4, 5);
    h.get("k", null, 6, 7);
    passes(h);
  }

  @Test
  void aRemoveMakesTheKeyAbsent() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.remove("k", 2, 3);
    h.get("k", null, 4, 5);
    h.put("k", "b", 6, 7);
    h.get("k", "b", 8, 9);
    passes(h);
  }

  @Test
  void unansweredReadsAreNotChecked() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.get("k", 2, 3, Outcome.UNKNOWN);
    h.get("k", 2, 3, Outcome.FAILED);
    h.get("k", 2, 3, null);
    CheckResult r = h.check();
    assertThat(r.passed()).isTrue();
    assertThat(r.readsChecked()).isZero();
  }

  @Test
  void aValueNobodyWroteIsAPhantom() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.get("k", "zzz", 2, 3);
    Violation v = failsOnce(h, Violation.Type.PHANTOM_VALUE);
    assertThat(v.candidates()).isEmpty();
    assertThat(v.describe()).contains("PHANTOM_VALUE", "\"zzz\"", "writes of that value: none", "2.000 ms", "3.000 ms");
  }

  @Test
  void aValueWrittenToAnotherKeyIsAPhantom() {
    Ops h = new Ops();
    h.put("other", "a", 0, 1);
    h.get("k", "a", 2, 3);
    failsOnce(h, Violation.Type.PHANTOM_VALUE);
  }

  @Test
  void aValueWhoseWriteStartedAfterTheReadEndedIsAPhantom() {
    Ops h = new Ops();
    h.get("k", "a", 0, 1);
    h.put("k", "a", 2, 3);
    failsOnce(h, Violation.Type.PHANTOM_VALUE);
  }

  @Test
  void aValueOfAFailedWriteIsAPhantom() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1, Outcome.FAILED);
    h.get("k", "a", 2, 3);
    Violation v = failsOnce(h, Violation.Type.PHANTOM_VALUE);
    assertThat(v.candidates()).extracting(Op::outcome).containsExactly(Outcome.FAILED);
  }

  @Test
  void anOlderValueAfterAnAcknowledgedWriteIsALostWrite() {
    Ops h = new Ops();
    Op a = h.put("k", "a", 0, 1);
    Op b = h.put("k", "b", 2, 3);
    Op read = h.get("k", "a", 4, 5);
    Violation v = failsOnce(h, Violation.Type.LOST_WRITE);
    assertThat(v.read()).isEqualTo(read);
    assertThat(v.shouldHaveSeen()).isEqualTo(b);
    assertThat(v.candidates()).containsExactly(a);
    assertThat(v.allowed()).containsExactly(b);
    assertThat(v.describe()).contains("should have seen:   PUT \"b\" [2.000 ms, 3.000 ms] OK_WRITE");
  }

  @Test
  void notFoundAfterAnAcknowledgedPutIsALostWrite() {
    Ops h = new Ops();
    Op a = h.put("k", "a", 0, 1);
    h.get("k", null, 2, 3);
    Violation v = failsOnce(h, Violation.Type.LOST_WRITE);
    assertThat(v.shouldHaveSeen()).isEqualTo(a);
    assertThat(v.describe()).contains("REMOVEs it could have seen: none");
  }

  @Test
  void notFoundAfterARemoveAndThenAnAcknowledgedPutIsALostWrite() {
    Ops h = new Ops();
    Op remove = h.remove("k", 0, 1);
    Op a = h.put("k", "a", 2, 3);
    h.get("k", null, 4, 5);
    Violation v = failsOnce(h, Violation.Type.LOST_WRITE);
    assertThat(v.shouldHaveSeen()).isEqualTo(a);
    assertThat(v.candidates()).containsExactly(remove);
  }

  @Test
  void aValueAfterAnAcknowledgedRemoveIsAResurrection() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    Op remove = h.remove("k", 2, 3);
    h.get("k", "a", 4, 5);
    Violation v = failsOnce(h, Violation.Type.RESURRECTION);
    assertThat(v.shouldHaveSeen()).isEqualTo(remove);
  }

  @Test
  void anUnknownWriteDoesNotExcuseAStaleReadOfAnOlderAcknowledgedOne() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.put("k", "b", 2, 3, Outcome.UNKNOWN);
    Op c = h.put("k", "c", 4, 5);
    h.get("k", "a", 6, 7);
    Violation v = failsOnce(h, Violation.Type.LOST_WRITE);
    assertThat(v.shouldHaveSeen()).isEqualTo(c);
  }

  @Test
  void aLongWriteHidesNothingUntilItEnds() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.put("k", "b", 2, 10); // long
    Op c = h.put("k", "c", 3, 4); // starts after a ended, ends before the read
    h.get("k", "b", 11, 12); // b overlaps c: allowed
    h.get("k", "a", 5, 6); // hidden by c
    Violation v = failsOnce(h, Violation.Type.LOST_WRITE);
    assertThat(v.shouldHaveSeen()).isEqualTo(c);
  }

  @Test
  void theWriteItShouldHaveSeenIsTheLatestStartedOfThoseAcknowledgedBeforeTheRead() {
    Ops h = new Ops();
    h.put("k", "a", 0, 1);
    h.put("k", "b", 2, 20); // ends late but starts last
    h.put("k", "c", 3, 4);
    h.remove("k", 5, 6);
    Op d = h.put("k", "d", 7, 8);
    h.get("k", "a", 21, 22);
    Violation v = failsOnce(h, Violation.Type.LOST_WRITE);
    assertThat(v.shouldHaveSeen()).isEqualTo(d);
  }

  @Test
  void eachViolationIsCountedAndTheKeysAreSeparate() {
    Ops h = new Ops();
    h.put("k1", "a", 0, 1);
    h.remove("k1", 2, 3);
    h.get("k1", "a", 4, 5);
    h.get("k1", "a", 6, 7);
    h.put("k2", "x", 0, 1);
    h.get("k2", null, 2, 3);
    h.get("k3", "nobody", 0, 1);
    CheckResult r = h.check();
    assertThat(r.count(Violation.Type.RESURRECTION)).isEqualTo(2);
    assertThat(r.count(Violation.Type.LOST_WRITE)).isEqualTo(1);
    assertThat(r.count(Violation.Type.PHANTOM_VALUE)).isEqualTo(1);
    assertThat(r.keys()).isEqualTo(3);
    assertThat(r.readsChecked()).isEqualTo(4);
    assertThat(r.report()).contains("violations: 4");
  }

  @Test
  void onlyTheFirstViolationsAreKeptButAllAreCounted() {
    Ops h = new Ops();
    for (int i = 0; i < 50; i++) {
      h.get("k" + i, "ghost", 0, 1);
    }
    CheckResult r = HistoryChecker.check(h.all(), Long.MAX_VALUE, 0, 3);
    assertThat(r.violationCount()).isEqualTo(50);
    assertThat(r.violations()).hasSize(3);
    assertThat(r.report()).contains("... and 47 more");
  }

  @Test
  void readsEndingAfterTheHorizonAreSkipped() {
    Ops h = new Ops();
    h.get("k", "dropped-write", 5, 6); // its write was past the recorder's cap
    h.get("k", "ghost", 1, 2);
    CheckResult r = HistoryChecker.check(h.all(), 5_000_000, 1, 10);
    assertThat(r.readsSkipped()).isEqualTo(1);
    assertThat(r.count(Violation.Type.PHANTOM_VALUE)).isEqualTo(1);
  }

  @Test
  void binaryKeysAndValuesPrintAsHex() {
    Op op = new Op(0, 0, Kind.PUT, new byte[] {1, 2}, new byte[] {(byte) 0xff}, 0, 1, Outcome.OK_WRITE);
    assertThat(op.describe()).startsWith("PUT 0xff [0.000 ms, 0.000 ms] OK_WRITE");
  }
}
