package io.kvstore.statusserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
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
    rounds.onReport(first, "n1", Reports.address(1));
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

  /**
   * The member list is not authenticated: a forged list of 10,000 "alive" members at addresses of
   * an attacker's choosing gets them at most UNVOUCHED_FRAMES frames a round plus one per member
   * that proved itself, while a member whose authenticated report gave its listed address is
   * started at and asked on every attempt.
   */
  @Test
  void aForgedMemberListGetsItsAddressesOnlyAFewFramesARound() {
    List<Runnable> timers = new ArrayList<>();
    CollectionRounds withTimers =
        new CollectionRounds(
            Reports.address(0), (to, frame) -> sent.add(to),
            (delay, task) -> { timers.add(task); return () -> {}; },
            new SplittableRandom(7), 1_000, 2);
    Map<String, InetSocketAddress> real = Map.of("n1", Reports.address(1), "n2", Reports.address(2));
    long first = withTimers.start(real);
    withTimers.onReport(first, "n1", Reports.address(1));
    withTimers.onReport(first, "n2", Reports.address(2));

    Map<String, InetSocketAddress> forged = new HashMap<>(real);
    for (int i = 0; i < 10_000; i++) {
      forged.put("fake-" + i, new InetSocketAddress("192.0.2.1", 1_000 + i));
    }
    forged.put("n2", new InetSocketAddress("192.0.2.2", 9)); // a real id at a victim's address
    sent.clear();
    timers.clear();
    withTimers.start(forged);
    for (int attempt = 0; attempt < 5 && !timers.isEmpty(); attempt++) {
      Runnable next = timers.remove(0);
      next.run(); // the direct asks of every repair attempt; nobody reports
    }

    long toUnvouched = sent.stream().filter(to -> !to.equals(Reports.address(1))).count();
    assertThat(toUnvouched).as("frames to addresses no report gave: 4 plus one per vouched member")
        .isEqualTo(CollectionRounds.UNVOUCHED_FRAMES + 1);
    assertThat(sent).as("the vouched member is started at and asked every attempt")
        .filteredOn(to -> to.equals(Reports.address(1))).hasSize(1 + CollectionRounds.REPAIR_ATTEMPTS);
    assertThat(withTimers.unvouchedWithheld()).isGreaterThan(10_000);
  }

  /** A list that leaves the real members out does not strip their vouching for later rounds. */
  @Test
  void aListWithoutTheRealMembersLeavesTheirVouchingInPlace() {
    long first = rounds.start(alive);
    rounds.onReport(first, "n1", Reports.address(1));
    rounds.start(Map.of("fake", new InetSocketAddress("192.0.2.1", 9)));
    assertThat(rounds.isVouched("n1", Reports.address(1))).isTrue();
    sent.clear();
    rounds.start(alive);
    assertThat(sent).as("the round starts at the vouched member").containsExactly(Reports.address(1));
  }
}
