package io.kvstore.statusserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CollectionRoundsTest {
  private final List<InetSocketAddress> sent = new ArrayList<>();
  private final CollectionRounds rounds =
      new CollectionRounds(
          Reports.address(0), (to, frame) -> sent.add(to), (delay, task) -> () -> {},
          new SplittableRandom(7), 1_000, 2);
  private final Map<String, InetSocketAddress> alive = Map.of("n1", Reports.address(1));

  @Test
  void takesOneReportPerNodeForTheLastTwoRoundsOnly() {
    assertThat(rounds.isFresh(0, "n1")).as("before any round").isFalse();
    long first = rounds.start(alive);
    assertThat(rounds.isFresh(first, "n1")).isTrue();
    rounds.onReport(first, "n1");
    assertThat(rounds.isFresh(first, "n1")).as("repeated").isFalse();
    assertThat(rounds.isFresh(first, "n2")).isTrue();

    long second = rounds.start(alive);
    assertThat(rounds.isFresh(first, "n1")).as("previous round, already reported").isFalse();
    assertThat(rounds.isFresh(first, "n2")).as("previous round, late report").isTrue();
    assertThat(rounds.isFresh(second, "n1")).isTrue();

    rounds.start(alive);
    assertThat(rounds.isFresh(first, "n2")).as("two rounds ago: a replay").isFalse();
    assertThat(rounds.isFresh(first + 1, "n1")).as("a round never started").isFalse();
  }
}
