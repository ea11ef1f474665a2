package io.kvstore.statusserver;

import io.javalin.http.sse.SseClient;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events: every connected dashboard gets the same update, built once per push whatever
 * the number of viewers. The pace is asked for before each push, so that it can slow down as the
 * cluster, and so the update, grows.
 */
final class LiveEvents {
  static final String EVENT = "update";
  private static final long TICK_MILLIS = 250;
  private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);

  private final Supplier<String> update;
  private final LongSupplier intervalMillis;
  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "status-live-events");
            t.setDaemon(true);
            return t;
          });
  private long lastPushNanos;

  LiveEvents(Supplier<String> update, LongSupplier intervalMillis) {
    this.update = update;
    this.intervalMillis = intervalMillis;
  }

  void start() {
    lastPushNanos = System.nanoTime();
    timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Subscribes a dashboard: it gets the current state at once, then every update. */
  void subscribe(SseClient client) {
    client.keepAlive();
    client.onClose(() -> clients.remove(client));
    // Sent before the client joins the set, so the timer thread never writes to it concurrently.
    client.sendEvent(EVENT, update.get());
    clients.add(client);
  }

  private void tick() {
    long now = System.nanoTime();
    if (clients.isEmpty()
        || now - lastPushNanos < TimeUnit.MILLISECONDS.toNanos(intervalMillis.getAsLong())) {
      return;
    }
    lastPushNanos = now;
    try {
      String data = update.get();
      for (SseClient client : clients) {
        client.sendEvent(EVENT, data);
      }
    } catch (RuntimeException e) {
      // An exception would cancel the schedule and freeze every dashboard.
      log.warn("live update failed", e);
    }
  }

  void stop() {
    timer.shutdownNow();
    clients.forEach(SseClient::close);
  }
}
