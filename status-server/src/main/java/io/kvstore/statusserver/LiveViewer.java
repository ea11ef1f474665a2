package io.kvstore.statusserver;

import io.javalin.http.sse.SseClient;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dashboard's stream: the latest update waiting for it, and at most one task writing to it.
 * A write that blocks (the viewer reads slowly or not at all) holds only this viewer's task;
 * updates offered meanwhile replace each other, so a viewer that catches up gets the newest.
 */
final class LiveViewer {
  private static final Logger log = LoggerFactory.getLogger(LiveViewer.class);

  private final SseClient client;
  private final Executor senders;
  private final LongAdder skipped;
  private final AtomicReference<String> pending = new AtomicReference<>();
  private final AtomicBoolean sending = new AtomicBoolean();

  LiveViewer(SseClient client, Executor senders, LongAdder skipped) {
    this.client = client;
    this.senders = senders;
    this.skipped = skipped;
  }

  void offer(String update) {
    if (pending.getAndSet(update) != null) {
      skipped.increment();
    }
    schedule();
  }

  void close() {
    client.close();
  }

  private void schedule() {
    if (!sending.compareAndSet(false, true)) {
      return; // the running task takes the update when its write returns
    }
    try {
      senders.execute(this::drain);
    } catch (RejectedExecutionException e) { // stopping
      sending.set(false);
    }
  }

  private void drain() {
    try {
      String update;
      while (!client.terminated() && (update = pending.getAndSet(null)) != null) {
        client.sendEvent(LiveEvents.EVENT, update);
      }
    } catch (RuntimeException e) {
      log.debug("live update to a dashboard failed; closing it", e);
      client.close();
    } finally {
      sending.set(false);
    }
    if (pending.get() != null && !client.terminated()) {
      schedule(); // offered between the last take and the flag's release
    }
  }
}
