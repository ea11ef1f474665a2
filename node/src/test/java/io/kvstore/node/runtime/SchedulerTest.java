package io.kvstore.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SchedulerTest {
  @Test
  void runsOnTheExecutorAndCancels() throws Exception {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try {
      Scheduler scheduler = Scheduler.on(executor);
      CountDownLatch ran = new CountDownLatch(1);
      AtomicInteger cancelledRuns = new AtomicInteger();
      scheduler.schedule(0, ran::countDown);
      scheduler.schedule(200, cancelledRuns::incrementAndGet).cancel();
      assertThat(ran.await(2, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(300);
      assertThat(cancelledRuns).hasValue(0);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void aShutDownExecutorDropsNewTimersQuietly() {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    executor.shutdownNow();
    Scheduler.Cancellable timer = Scheduler.on(executor).schedule(10, () -> {});
    timer.cancel(); // no exception either way
    assertThat(executor.isShutdown()).isTrue();
  }
}
