package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Events run in (time, insertion) order whether they land in the wheel or beyond it, also when
 * events scheduled from running ones reach past the wheel, and when runs stop between events.
 */
class EventQueueTest {
  private record Ran(long time, long sequence) {}

  @Test
  void eventsRunInTimeThenInsertionOrderNearAndFar() {
    Simulation sim = new Simulation(1);
    SplittableRandom random = new SplittableRandom(5);
    List<Ran> expected = new ArrayList<>();
    List<Ran> ran = new ArrayList<>();
    long[] sequence = {0};
    long start = sim.clock().currentTimeMillis();
    for (int i = 0; i < 3_000; i++) {
      schedule(sim, random, expected, ran, sequence, 3);
    }
    // In pieces of random length, so that runs stop between events and new ones arrive.
    while (ran.size() < expected.size()) {
      sim.runFor(Duration.ofMillis(random.nextLong(5 * EventQueue.WHEEL_MILLIS)));
      for (int i = 0; i < 20; i++) {
        schedule(sim, random, expected, ran, sequence, 1);
      }
      if (sim.clock().currentTimeMillis() - start > 100L * EventQueue.WHEEL_MILLIS) {
        break;
      }
    }
    sim.runFor(Duration.ofMillis(20L * EventQueue.WHEEL_MILLIS));

    expected.sort(Comparator.comparingLong(Ran::time).thenComparingLong(Ran::sequence));
    assertThat(ran).hasSize(expected.size()).isEqualTo(expected);
  }

  @Test
  void cancelledEventsArePurgedOnceTheyOutnumberTheLiveOnesAndTheRestRunInOrder() {
    Simulation sim = new Simulation(1);
    SplittableRandom random = new SplittableRandom(9);
    List<Ran> expected = new ArrayList<>();
    List<Ran> ran = new ArrayList<>();
    List<Simulation.Event> toCancel = new ArrayList<>();
    int live = 3 * EventQueue.PURGE_AT_LEAST / 4;
    for (int i = 0; i < live + EventQueue.PURGE_AT_LEAST; i++) {
      long delay = random.nextInt(4) == 0 ? EventQueue.WHEEL_MILLIS + random.nextLong(EventQueue.WHEEL_MILLIS)
          : random.nextLong(EventQueue.WHEEL_MILLIS);
      Ran r = new Ran(sim.clock().currentTimeMillis() + delay, i);
      Simulation.Event e = sim.after(delay, () -> ran.add(r));
      if (i % 7 < 4 && toCancel.size() < EventQueue.PURGE_AT_LEAST) {
        toCancel.add(e);
      } else {
        expected.add(r);
      }
    }
    int queued = sim.queuedEvents();
    for (int i = 0; i < toCancel.size(); i++) {
      toCancel.get(i).cancel();
      toCancel.get(i).cancel(); // twice counts once
      if (i == toCancel.size() - 2) {
        assertThat(sim.queuedEvents()).isEqualTo(queued); // not yet: fewer than PURGE_AT_LEAST
      }
    }

    assertThat(sim.queuedEvents()).isEqualTo(expected.size());
    sim.runFor(Duration.ofMillis(3L * EventQueue.WHEEL_MILLIS));
    expected.sort(Comparator.comparingLong(Ran::time).thenComparingLong(Ran::sequence));
    assertThat(ran).isEqualTo(expected);
    assertThat(sim.eventsRun()).isEqualTo(expected.size());
  }

  @Test
  void aCancelledEventDoesNotRun() {
    Simulation sim = new Simulation(1);
    List<String> ran = new ArrayList<>();
    sim.after(10, () -> ran.add("near"));
    sim.after(10, () -> ran.add("cancelled near")).cancel();
    sim.after(3L * EventQueue.WHEEL_MILLIS, () -> ran.add("cancelled far")).cancel();
    sim.after(3L * EventQueue.WHEEL_MILLIS, () -> ran.add("far"));

    sim.runFor(Duration.ofMillis(4L * EventQueue.WHEEL_MILLIS));

    assertThat(ran).containsExactly("near", "far");
    assertThat(sim.eventsRun()).isEqualTo(2);
  }

  /** One event at a delay near, at the wheel's edge or far beyond; some schedule more when they run. */
  private static void schedule(Simulation sim, SplittableRandom random, List<Ran> expected, List<Ran> ran,
      long[] sequence, int depth) {
    long delay = switch (random.nextInt(4)) {
      case 0 -> random.nextLong(5);
      case 1 -> random.nextLong(2_000);
      case 2 -> EventQueue.WHEEL_MILLIS - 2 + random.nextLong(4);
      default -> random.nextLong(4L * EventQueue.WHEEL_MILLIS);
    };
    Ran mine = new Ran(sim.clock().currentTimeMillis() + delay, sequence[0]++);
    expected.add(mine);
    sim.after(delay, () -> {
      assertThat(sim.clock().currentTimeMillis()).isEqualTo(mine.time());
      ran.add(mine);
      if (depth > 1 && random.nextInt(3) == 0) {
        schedule(sim, random, expected, ran, sequence, depth - 1);
      }
    });
  }
}
