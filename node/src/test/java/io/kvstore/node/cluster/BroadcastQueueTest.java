package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.util.ArrayList;
import java.util.List;
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

  private static Update suspect(String id, long incarnation) {
    return new Update(Kind.SUSPECT, new NodeId(id), null, incarnation, new NodeId("accuser"));
  }
}
