package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class BroadcastQueueTest {
  private static final int ROOMY = 64 * 1024;

  private final BroadcastQueue queue = new BroadcastQueue();

  @Test
  void anUpdateIsSentAsOftenAsTheLimitSaysThenRetired() {
    Update u = suspect("a", 1);
    queue.add(u);

    for (int i = 0; i < 3; i++) {
      assertThat(queue.take(ROOMY, 3)).containsExactly(u);
    }

    assertThat(queue.take(ROOMY, 3)).isEmpty();
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void aNewerUpdateAboutAMemberReplacesTheOlderOne() {
    queue.add(suspect("a", 1));
    Update newer = new Update(Kind.DEAD, new NodeId("a"), null, 1, new NodeId("b"));

    queue.add(newer);

    assertThat(queue.size()).isEqualTo(1);
    assertThat(queue.take(ROOMY, 5)).containsExactly(newer);
  }

  @Test
  void aReplacementStartsAFreshRoundOfTransmissions() {
    queue.add(suspect("a", 1));
    queue.take(ROOMY, 2);
    Update refreshed = suspect("a", 2);

    queue.add(refreshed);

    assertThat(queue.take(ROOMY, 2)).containsExactly(refreshed);
    assertThat(queue.take(ROOMY, 2)).containsExactly(refreshed);
    assertThat(queue.take(ROOMY, 2)).isEmpty();
  }

  @Test
  void takesNoMoreThanTheBudgetAllows() {
    List<Update> all = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      all.add(suspect(String.format("m%03d", i), i));
      queue.add(all.get(i));
    }
    int budget = 5 * SwimCodec.size(all.get(0)) + 3;

    List<Update> taken = queue.take(budget, 10);

    assertThat(taken).hasSize(5);
    assertThat(taken.stream().mapToInt(SwimCodec::size).sum()).isLessThanOrEqualTo(budget);
  }

  @Test
  void theLeastSentGoFirstAndAmongThemTheNewest() {
    Update old = suspect("m1", 1);
    queue.add(old);
    queue.take(ROOMY, 10);
    Update first = suspect("m2", 1);
    Update second = suspect("m3", 1);
    queue.add(first);
    queue.add(second);
    int roomForOne = SwimCodec.size(old);

    assertThat(queue.take(roomForOne, 10)).containsExactly(second);
    assertThat(queue.take(roomForOne, 10)).containsExactly(first);
  }

  /**
   * Against the plain model it replaced (a TreeSet in order and a HashMap by member): the same
   * updates in the same order from every take, through replacements, budgets and retirements.
   * The simulator's traces depend on exactly this order.
   */
  @Test
  void takesExactlyWhatASortedSetWouldInTheSameOrder() {
    SplittableRandom random = new SplittableRandom(11);
    againstTheModel(random, 30_000, 2_000, 12, () -> random.nextBoolean()
        ? suspect("m" + random.nextInt(2_000), random.nextInt(5))
        : new Update(Kind.ALIVE, new NodeId("node-" + random.nextInt(2_000)),
            new InetSocketAddress("127.0.0.1", 4000), random.nextInt(5), new NodeId("x")));
  }

  /**
   * The common case of a running cluster: a few updates, most takes sending all of them, some
   * budgets cutting the queue short, limits that vary as the cluster's size does.
   */
  @Test
  void aSmallQueueSentWholeKeepsTheSortedSetsOrder() {
    SplittableRandom random = new SplittableRandom(5);
    ReferenceQueue reference = new ReferenceQueue();
    for (int step = 0; step < 30_000; step++) {
      int action = random.nextInt(4);
      if (action == 0) {
        Update u = suspect("m" + random.nextInt(12), random.nextInt(3));
        queue.add(u);
        reference.add(u);
      } else {
        int budget = action == 1 ? random.nextInt(300) : ROOMY;
        int limit = 3 + random.nextInt(random.nextInt(8) == 0 ? 6 : 2);
        assertThat(queue.take(budget, limit)).containsExactlyElementsOf(reference.take(budget, limit));
      }
      assertThat(queue.size()).isEqualTo(reference.byMember.size());
    }
  }

  /**
   * A joiner's queue: an update about each of 1,500 members, drained a datagram at a time while
   * fresh updates and replacements arrive and the limit grows with the cluster, so that sent
   * updates land at either end and in the middle of the lists they move to.
   */
  @Test
  void aBurstDrainedAmongFreshUpdatesKeepsTheSortedSetsOrder() {
    SplittableRandom random = new SplittableRandom(7);
    ReferenceQueue reference = new ReferenceQueue();
    for (int i = 0; i < 1_500; i++) {
      Update u = new Update(Kind.ALIVE, new NodeId("node-" + i), new InetSocketAddress("127.0.0.1", 4000 + i), 0,
          new NodeId("node-" + i));
      queue.add(u);
      reference.add(u);
    }
    int limit = 6;
    for (int step = 0; step < 20_000 && !reference.byMember.isEmpty(); step++) {
      int action = random.nextInt(10);
      if (action == 0) {
        Update u = suspect("node-" + random.nextInt(1_600), random.nextInt(4));
        queue.add(u);
        reference.add(u);
      } else {
        if (action == 1 && limit < 12) {
          limit++;
        }
        int budget = action == 2 ? random.nextInt(200) : 1_400;
        assertThat(queue.take(budget, limit)).containsExactlyElementsOf(reference.take(budget, limit));
      }
      assertThat(queue.size()).isEqualTo(reference.byMember.size());
    }
    assertThat(reference.byMember).isEmpty();
  }

  /**
   * The by-member table is open addressing: ids whose hashes are all equal ("Aa" and "BB" hash
   * alike, so every string of six such pairs does) fill one cluster of slots, through which
   * replacements, retirements and the table's growth must still find each member.
   */
  @Test
  void membersWithEqualHashesAreFoundThroughReplacementsAndRetirements() {
    List<String> colliding = new ArrayList<>();
    for (int bits = 0; bits < 64; bits++) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 6; i++) {
        b.append((bits >> i & 1) == 0 ? "Aa" : "BB");
      }
      colliding.add(b.toString());
    }
    assertThat(colliding.stream().mapToInt(String::hashCode).distinct().count()).isEqualTo(1);
    SplittableRandom random = new SplittableRandom(13);
    againstTheModel(random, 20_000, 1_500, 6, () -> suspect(
        random.nextInt(4) == 0 ? "m" + random.nextInt(40) : colliding.get(random.nextInt(64)),
        random.nextInt(4)));
  }

  /**
   * {@code steps} random steps, two adds (of {@code updates}) to one take (of a random budget and
   * limit) on average, each take compared with the model's, and the sizes after every step.
   */
  private void againstTheModel(SplittableRandom random, int steps, int maxBudget, int maxLimit,
      java.util.function.Supplier<Update> updates) {
    ReferenceQueue reference = new ReferenceQueue();
    for (int step = 0; step < steps; step++) {
      if (random.nextInt(3) > 0) {
        Update u = updates.get();
        queue.add(u);
        reference.add(u);
      } else {
        int budget = random.nextInt(maxBudget);
        int limit = 1 + random.nextInt(maxLimit);
        assertThat(queue.take(budget, limit)).containsExactlyElementsOf(reference.take(budget, limit));
      }
      assertThat(queue.size()).isEqualTo(reference.byMember.size());
    }
  }

  @Test
  void moreThanTwoHundredFiftySixUpdatesGoOutInTakesOfAtMostThatMany() {
    ReferenceQueue reference = new ReferenceQueue();
    for (int i = 0; i < 600; i++) {
      Update u = suspect(String.format("m%03d", i), 1);
      queue.add(u);
      reference.add(u);
    }
    for (int take = 0; take < 12; take++) {
      List<Update> expected = reference.take(ROOMY, 4);
      assertThat(expected).hasSizeLessThanOrEqualTo(256);
      assertThat(queue.take(ROOMY, 4)).containsExactlyElementsOf(expected);
    }
    assertThat(queue.size()).isEqualTo(reference.byMember.size());
  }

  /** The queue as it was, a TreeSet and a HashMap of 72 bytes of nodes per entry. */
  private static final class ReferenceQueue {
    private record Entry(Update update, long order, int size, int[] transmits) {}

    final Map<NodeId, Entry> byMember = new HashMap<>();
    final TreeSet<Entry> queue = new TreeSet<>(
        Comparator.comparingInt((Entry e) -> e.transmits()[0]).thenComparingLong(e -> -e.order()));
    long nextOrder;

    void add(Update update) {
      Entry old = byMember.remove(update.id());
      if (old != null) {
        queue.remove(old);
      }
      Entry e = new Entry(update, nextOrder++, SwimCodec.size(update), new int[1]);
      byMember.put(update.id(), e);
      queue.add(e);
    }

    List<Update> take(int budgetBytes, int limit) {
      List<Update> taken = new ArrayList<>();
      List<Entry> sent = new ArrayList<>();
      int used = 0;
      for (Entry e : queue) {
        if (used + e.size() > budgetBytes) {
          if (budgetBytes - used < 24) {
            break;
          }
          continue;
        }
        used += e.size();
        taken.add(e.update());
        sent.add(e);
        if (sent.size() >= 256) {
          break;
        }
      }
      for (Entry e : sent) {
        queue.remove(e);
        if (++e.transmits()[0] >= limit) {
          byMember.remove(e.update().id());
        } else {
          queue.add(e);
        }
      }
      return taken;
    }
  }

  private static Update suspect(String id, long incarnation) {
    return new Update(Kind.SUSPECT, new NodeId(id), null, incarnation, new NodeId("accuser"));
  }
}
