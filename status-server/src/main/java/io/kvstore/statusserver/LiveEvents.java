package io.kvstore.statusserver;

import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events: every connected dashboard gets the same update, built once per push whatever
 * the number of viewers. The pace is asked for before each push, so that it can slow down as the
 * cluster, and so the update, grows.
 *
 * <p>Writes to a viewer block once its socket's buffers are full, so each viewer is written by a
 * {@link LiveViewer} of its own on a bounded pool: a viewer that reads slowly or not at all gets
 * only the latest update when it catches up (the ones it missed are counted) and never delays the
 * others. It holds its sending thread until the connection's idle timeout ends the blocked write.
 * Viewers are bounded ({@link #MAX_VIEWERS}); beyond that a dashboard is answered 503.
 */
final class LiveEvents {
  static final String EVENT = "update";
  /** Each viewer is a socket and, while it is behind, a blocked thread: 32 dashboards at most. */
  static final int MAX_VIEWERS = 32;
  private static final long TICK_MILLIS = 250;
  private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);

  private final Supplier<String> update;
  private final LongSupplier intervalMillis;
  private final Set<LiveViewer> viewers = ConcurrentHashMap.newKeySet();
  /** Viewer slots taken, counted from admission (before the stream starts) to close. */
  private final AtomicInteger admitted = new AtomicInteger();
  private final LongAdder refused = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final SseHandler sse = new SseHandler(this::subscribe);
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(daemon("status-live-events"));
  /** At most one task per viewer is queued or running, so neither bound is ever reached. */
  private final ThreadPoolExecutor senders =
      new ThreadPoolExecutor(MAX_VIEWERS, MAX_VIEWERS, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(MAX_VIEWERS), daemon("status-live-send"));
  private long lastPushNanos;
  /** The last update pushed (at most one interval old), what a new viewer gets first. */
  private volatile String latest;

  LiveEvents(Supplier<String> update, LongSupplier intervalMillis) {
    this.update = update;
    this.intervalMillis = intervalMillis;
    senders.allowCoreThreadTimeOut(true);
  }

  void start() {
    lastPushNanos = System.nanoTime();
    timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * The route's handler: a viewer slot, or 503 when all are taken. A request that does not accept
   * an event stream gets 406 and no slot: Javalin's SSE handler would return without subscribing
   * it, and the slot would never be freed (32 plain GETs, a browser tab or a crawler, would keep
   * every dashboard out).
   */
  void handle(Context ctx) throws Exception {
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      ctx.status(406).contentType("text/plain; charset=utf-8")
          .result("/api/events is a stream of server-sent events: ask with"
              + " 'Accept: text/event-stream' (the dashboard at / does), or read /api/cluster\n");
      return;
    }
    if (admitted.incrementAndGet() > MAX_VIEWERS) {
      admitted.decrementAndGet();
      refused.increment();
      ctx.status(503).contentType("text/plain; charset=utf-8")
          .result("this status server already has " + MAX_VIEWERS + " live dashboards open;"
              + " close one, or read /api/cluster and /api/nodes instead\n");
      return;
    }
    try {
      sse.handle(ctx);
    } catch (Exception | Error e) {
      admitted.decrementAndGet();
      throw e;
    }
  }

  /** Subscribes an admitted dashboard: it gets the current state at once, then every update. */
  private void subscribe(SseClient client) {
    client.keepAlive();
    LiveViewer viewer = new LiveViewer(client, senders, skipped);
    viewers.add(viewer);
    client.onClose(() -> leave(viewer));
    if (client.terminated()) { // closed before onClose was set
      leave(viewer);
      return;
    }
    String last = latest;
    viewer.offer(last != null ? last : update.get()); // a reconnecting loop costs no rebuild
  }

  /** Frees the viewer's slot, once, whichever of the close paths comes first. */
  private void leave(LiveViewer viewer) {
    if (viewers.remove(viewer)) {
      admitted.decrementAndGet();
    }
  }

  private void tick() {
    long now = System.nanoTime();
    if (viewers.isEmpty()
        || now - lastPushNanos < TimeUnit.MILLISECONDS.toNanos(intervalMillis.getAsLong())) {
      return;
    }
    lastPushNanos = now;
    try {
      String data = update.get();
      latest = data;
      for (LiveViewer viewer : viewers) {
        viewer.offer(data);
      }
    } catch (RuntimeException e) {
      // An exception would cancel the schedule and freeze every dashboard.
      log.warn("live update failed", e);
    }
  }

  /** Dashboard slots taken now: the viewers connected, and any still being admitted. */
  int viewers() {
    return admitted.get();
  }

  /** Dashboards answered 503 because {@link #MAX_VIEWERS} were connected. */
  long viewersRefused() {
    return refused.sum();
  }

  /** Updates a viewer never got because a newer one replaced them while it was behind. */
  long updatesSkipped() {
    return skipped.sum();
  }

  void stop() {
    timer.shutdownNow();
    viewers.forEach(LiveViewer::close);
    senders.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
