package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A run against a list kept sorted, newest first, through every kind of insert and removal. */
class QueuedRunTest {
  /** What a run holds per slot, for the model. */
  private record Slot(Update update, long order, int size) {}

  @Test
  void staysInOrderThroughInsertsAtBothEndsAndInTheMiddleRemovalsAndSentPrefixes() {
    SplittableRandom random = new SplittableRandom(3);
    QueuedRun run = new QueuedRun();
    List<Slot> model = new ArrayList<>();
    long[] orders = random.longs(200_000, 0, 1L << 40).distinct().toArray();
    int next = 0;
    for (int step = 0; step < 60_000; step++) {
      int action = random.nextInt(10);
      if (action < 5 || model.isEmpty()) {
        // Mostly at an end, as a queue's moves are; sometimes anywhere.
        long order = switch (random.nextInt(3)) {
          case 0 -> model.isEmpty() ? orders[next++] : model.get(0).order() + 1 + random.nextInt(5);
          case 1 -> model.isEmpty() ? orders[next++] : model.get(model.size() - 1).order() - 1 - random.nextInt(5);
          default -> orders[next++];
        };
        if (order < 0 || model.stream().anyMatch(e -> e.order() == order)) {
          continue;
        }
        Slot e = new Slot(update(order), order, 20 + random.nextInt(500));
        run.insert(e.update(), QueuedRun.word(e.order(), e.size()));
        model.add(e);
        model.sort(Comparator.comparingLong(Slot::order).reversed());
      } else if (action < 6) {
        // Looked up by order: one that is there, and one that is not.
        Slot e = model.get(random.nextInt(model.size()));
        assertThat(run.updates[run.indexOf(e.order())]).isSameAs(e.update());
        long absent = e.order() + 1;
        if (model.stream().noneMatch(m -> m.order() == absent)) {
          assertThat(run.indexOf(absent)).isEqualTo(-1);
        }
      } else if (action < 7) {
        Slot e = model.remove(random.nextInt(model.size()));
        run.removeAt(run.indexOf(e.order()));
      } else {
        // A take: some of the newest entries sent, the others (did not fit) kept in place;
        // sometimes all of them.
        int visited = 1 + random.nextInt(Math.min(model.size(), 40));
        boolean all = random.nextInt(3) == 0;
        int[] slots = new int[visited + 2];
        int from = 2; // the take's own array holds other runs' slots before these
        int count = from;
        List<Slot> sent = new ArrayList<>();
        for (int i = 0; i < visited; i++) {
          if (all || random.nextInt(4) > 0) {
            slots[count++] = run.lo + i;
            sent.add(model.get(i));
          }
        }
        run.removeSent(visited, slots, from, count);
        model.removeAll(sent);
      }
      assertThat(live(run)).as("step %d", step).containsExactlyElementsOf(model);
    }
  }

  @Test
  void aDrainedBurstGivesBackItsArrays() {
    QueuedRun run = new QueuedRun();
    for (int i = 0; i < 10_000; i++) {
      run.insert(update(i), QueuedRun.word(10_000 - i, 40)); // each older than the last: the old end
    }
    assertThat(run.updates.length).isGreaterThanOrEqualTo(10_000);
    int[] slots = new int[16];
    while (run.size() > 0) {
      int n = Math.min(16, run.size());
      for (int i = 0; i < n; i++) {
        slots[i] = run.lo + i;
      }
      run.removeSent(n, slots, 0, n);
    }
    assertThat(run.updates.length).isLessThanOrEqualTo(64);
    assertThat(run.words.length).isEqualTo(run.updates.length);
    assertThat(run.updates).containsOnlyNulls(); // nothing sent is held on to
  }

  @Test
  void wordsKeepOrderAndSizeAndCompareAsTheirOrders() {
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 100_000; i++) {
      long a = random.nextLong(1L << 47);
      long b = i % 2 == 0 ? random.nextLong(1L << 47) : a + 1; // also neighbours
      int sa = random.nextInt(1 << 16);
      int sb = random.nextInt(1 << 16);
      long wa = QueuedRun.word(a, sa);
      long wb = QueuedRun.word(b, sb);
      assertThat(QueuedRun.order(wa)).isEqualTo(a);
      assertThat(QueuedRun.size(wa)).isEqualTo(sa);
      if (a != b) {
        assertThat(Long.compare(wa, wb)).isEqualTo(Long.compare(a, b));
      }
    }
  }

  private static Update update(long n) {
    return new Update(Kind.SUSPECT, new NodeId("m" + n), null, 1, new NodeId("a"));
  }

  private static List<Slot> live(QueuedRun run) {
    List<Slot> slots = new ArrayList<>();
    for (int i = run.lo; i < run.hi; i++) {
      slots.add(new Slot(run.updates[i], QueuedRun.order(run.words[i]), QueuedRun.size(run.words[i])));
    }
    // Freed slots hold no update (the queue must not keep sent updates alive).
    for (int i = 0; i < run.updates.length; i++) {
      if (i < run.lo || i >= run.hi) {
        assertThat(run.updates[i]).as("freed slot %d", i).isNull();
      }
    }
    return slots;
  }
}
