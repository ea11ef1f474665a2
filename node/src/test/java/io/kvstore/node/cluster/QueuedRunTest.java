package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A run against a list kept sorted, newest first, through every kind of insert and removal. */
class QueuedRunTest {
  private static final Update UPDATE = new Update(Kind.SUSPECT, new NodeId("m"), null, 1, new NodeId("a"));

  @Test
  void staysInOrderThroughInsertsAtBothEndsAndInTheMiddleRemovalsAndSentPrefixes() {
    SplittableRandom random = new SplittableRandom(3);
    QueuedRun run = new QueuedRun();
    List<QueuedUpdate> model = new ArrayList<>();
    long[] orders = random.longs(200_000, 0, 1L << 40).distinct().toArray();
    int next = 0;
    for (int step = 0; step < 60_000; step++) {
      int action = random.nextInt(10);
      if (action < 5 || model.isEmpty()) {
        // Mostly at an end, as a queue's moves are; sometimes anywhere.
        long order = switch (random.nextInt(3)) {
          case 0 -> model.isEmpty() ? orders[next++] : model.get(0).order + 1 + random.nextInt(5);
          case 1 -> model.isEmpty() ? orders[next++] : model.get(model.size() - 1).order - 1 - random.nextInt(5);
          default -> orders[next++];
        };
        if (order < 0 || model.stream().anyMatch(e -> e.order == order)) {
          continue;
        }
        QueuedUpdate e = new QueuedUpdate(UPDATE, order);
        run.insert(e);
        model.add(e);
        model.sort(Comparator.comparingLong((QueuedUpdate q) -> q.order).reversed());
      } else if (action < 7) {
        QueuedUpdate e = model.remove(random.nextInt(model.size()));
        run.remove(e);
      } else {
        // A take: some of the newest entries sent, the others (did not fit) kept in place.
        int visited = 1 + random.nextInt(Math.min(model.size(), 40));
        QueuedUpdate[] sent = new QueuedUpdate[visited];
        int count = 0;
        for (int i = 0; i < visited; i++) {
          if (random.nextInt(4) > 0) {
            sent[count++] = model.get(i);
          }
        }
        run.removeSent(visited, sent, 0, count);
        model.removeAll(Arrays.asList(sent).subList(0, count));
      }
      assertThat(live(run)).as("step %d", step).containsExactlyElementsOf(model);
    }
  }

  @Test
  void aDrainedBurstGivesBackItsArray() {
    QueuedRun run = new QueuedRun();
    for (int i = 0; i < 10_000; i++) {
      run.insert(new QueuedUpdate(UPDATE, -i)); // each older than the last: the old end
    }
    assertThat(run.entries.length).isGreaterThanOrEqualTo(10_000);
    QueuedUpdate[] sent = new QueuedUpdate[16];
    while (run.size() > 0) {
      int n = Math.min(16, run.size());
      System.arraycopy(run.entries, run.lo, sent, 0, n);
      run.removeSent(n, sent, 0, n);
    }
    assertThat(run.entries.length).isLessThanOrEqualTo(64);
  }

  private static List<QueuedUpdate> live(QueuedRun run) {
    return Arrays.asList(run.entries).subList(run.lo, run.hi);
  }
}
