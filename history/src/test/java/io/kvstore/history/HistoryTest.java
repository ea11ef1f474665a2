package io.kvstore.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HistoryTest {
  private final AtomicLong now = new AtomicLong();

  @Test
  void recordsInvokeAndCompletionAtTheClocksTimes() {
    History h = new History(now::get, 10);
    now.set(5);
    long put = h.invoke(1, Kind.PUT, Ops.bytes("k"), Ops.bytes("a"));
    now.set(9);
    long get = h.invoke(2, Kind.GET, Ops.bytes("k"), null);
    h.complete(put, Outcome.OK_WRITE, null);
    now.set(12);
    h.complete(get, Outcome.OK_VALUE, Ops.bytes("a"));
    List<Op> ops = h.ops();
    assertThat(ops).hasSize(2);
    assertThat(ops.get(0).invokedNanos()).isEqualTo(5);
    assertThat(ops.get(0).completedNanos()).isEqualTo(9);
    assertThat(ops.get(1).value()).containsExactly(Ops.bytes("a"));
    assertThat(ops.get(1).completedNanos()).isEqualTo(12);
    assertThat(HistoryChecker.check(h).passed()).isTrue();
  }

  @Test
  void anOperationNeverCompletedIsPending() {
    History h = new History(now::get, 10);
    h.invoke(1, Kind.PUT, Ops.bytes("k"), Ops.bytes("a"));
    Op op = h.ops().get(0);
    assertThat(op.outcome()).isNull();
    assertThat(op.completedNanos()).isEqualTo(Op.PENDING);
    assertThat(op.describe()).contains("never", "PENDING");
  }

  @Test
  void badCompletionsAreRefused() {
    History h = new History(now::get, 10);
    long put = h.invoke(1, Kind.PUT, Ops.bytes("k"), Ops.bytes("a"));
    long get = h.invoke(1, Kind.GET, Ops.bytes("k"), null);
    assertThatThrownBy(() -> h.complete(put, Outcome.OK_VALUE, Ops.bytes("a"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.complete(get, Outcome.OK_WRITE, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.complete(get, Outcome.OK_VALUE, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.invoke(1, Kind.PUT, Ops.bytes("k"), null)).isInstanceOf(IllegalArgumentException.class);
    h.complete(put, Outcome.OK_WRITE, null);
    assertThatThrownBy(() -> h.complete(put, Outcome.UNKNOWN, null)).isInstanceOf(IllegalStateException.class);
    assertThat(h.ops().get(0).outcome()).isEqualTo(Outcome.OK_WRITE);
  }

  @Test
  void theValuesAreCopiedSoACallerReusingItsBufferChangesNothing() {
    History h = new History(now::get, 10);
    byte[] value = Ops.bytes("a");
    h.invoke(1, Kind.PUT, Ops.bytes("k"), value);
    value[0] = 'z';
    assertThat(h.ops().get(0).value()).containsExactly(Ops.bytes("a"));
  }

  @Test
  void pastTheCapInvocationsAreDroppedAndCounted() {
    History h = new History(now::get, 2);
    h.invoke(1, Kind.GET, Ops.bytes("k"), null);
    h.invoke(1, Kind.GET, Ops.bytes("k"), null);
    now.set(7);
    long dropped = h.invoke(1, Kind.PUT, Ops.bytes("k"), Ops.bytes("late"));
    now.set(8);
    h.invoke(1, Kind.PUT, Ops.bytes("k"), Ops.bytes("later"));
    assertThat(dropped).isEqualTo(History.DROPPED);
    h.complete(dropped, Outcome.OK_WRITE, null); // ignored
    h.complete(1, Outcome.OK_VALUE, Ops.bytes("late")); // saw the dropped write
    assertThat(h.size()).isEqualTo(2);
    assertThat(h.dropped()).isEqualTo(2);
    assertThat(h.truncatedAtNanos()).isEqualTo(7);
    CheckResult r = HistoryChecker.check(h);
    assertThat(r.passed()).as("the read that ended after the truncation is not called a phantom").isTrue();
    assertThat(r.readsSkipped()).isEqualTo(1);
    assertThat(r.summary()).contains("2 dropped");
  }

  @Test
  void uniqueValuesAreUniqueAcrossThreads() throws Exception {
    History h = new History(now::incrementAndGet, 100_000);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Set<String>>> parts = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int process = t;
        parts.add(pool.submit(() -> {
          Set<String> mine = new HashSet<>();
          for (int i = 0; i < 5_000; i++) {
            byte[] v = h.uniqueValue("p");
            mine.add(new String(v));
            long handle = h.invoke(process, Kind.PUT, Ops.bytes("k" + (i % 7)), v);
            h.complete(handle, Outcome.OK_WRITE, null);
          }
          return mine;
        }));
      }
      Set<String> all = new HashSet<>();
      for (Future<Set<String>> part : parts) {
        all.addAll(part.get(30, TimeUnit.SECONDS));
      }
      assertThat(all).hasSize(20_000);
      assertThat(h.size()).isEqualTo(20_000);
      assertThat(h.ops()).allMatch(op -> op.outcome() == Outcome.OK_WRITE && op.completedNanos() > op.invokedNanos());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void replyCodesMapConservatively() {
    assertThat(Outcome.ofReply(Kind.GET, 0x00)).isEqualTo(Outcome.OK_VALUE);
    assertThat(Outcome.ofReply(Kind.GET, 0x01)).isEqualTo(Outcome.OK_NOT_FOUND);
    assertThat(Outcome.ofReply(Kind.PUT, 0x00)).isEqualTo(Outcome.OK_WRITE);
    assertThat(Outcome.ofReply(Kind.REMOVE, 0x01)).isEqualTo(Outcome.OK_WRITE);
    assertThat(Outcome.ofReply(Kind.PUT, 0x01)).isEqualTo(Outcome.UNKNOWN);
    for (int code : new int[] {0x02, 0x03, 0x04, 0x22, -1, 0x7f}) {
      assertThat(Outcome.ofReply(Kind.PUT, code)).as("code %d", code).isEqualTo(Outcome.UNKNOWN);
      assertThat(Outcome.ofReply(Kind.GET, code)).isEqualTo(Outcome.UNKNOWN);
    }
    for (int code : new int[] {0x05, 0x06, 0x07, 0x09, 0x21}) {
      assertThat(Outcome.ofReply(Kind.REMOVE, code)).isEqualTo(Outcome.FAILED);
    }
  }
}
