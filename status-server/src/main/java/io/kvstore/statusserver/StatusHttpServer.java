package io.kvstore.statusserver;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The status server's HTTP side: the dashboard at {@code /} (assets under {@code /assets}), the
 * JSON API under {@code /api}, live updates at {@code /api/events} and {@code /metrics}.
 */
public final class StatusHttpServer {
  /** Live updates come every second, slower beyond 1,000 nodes: one millisecond per node. */
  static final long LIVE_UPDATE_MILLIS = 1_000;

  private static final String DASHBOARD = "/dashboard";

  private final ClusterView view;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ApiJson json = new ApiJson();
  private final OpsJson opsJson = new OpsJson();
  private final LiveEvents events;
  private final byte[] indexPage = resource(DASHBOARD + "/index.html");
  private final Javalin app;
  private volatile ReportIntake intake;

  /**
   * @param bind the address to listen on: 127.0.0.1 unless the operator chose otherwise
   * @param port the port, or 0 for any free port
   */
  public StatusHttpServer(ClusterView view, String bind, int port) {
    this.view = view;
    registry.getPrometheusRegistry().register(new ClusterMetrics(view));
    counter("kvstore.monitor.members.refused", view, ClusterView::membersRefused,
        "members not tracked: maxNodes or the memory budget reached");
    counter("kvstore.monitor.operations.forgotten", view, ClusterView::operationsForgotten,
        "operations forgotten: more than 64 held, or the memory budget reached");
    gauge("kvstore.monitor.view.retained.bytes", view, ClusterView::retainedBytes,
        "estimated heap kept by the view (bounded by its memory budget)");
    this.events =
        new LiveEvents(
            () -> json.event(view.summary(), view.nodes()),
            () -> Math.max(LIVE_UPDATE_MILLIS, view.size()));
    gauge("kvstore.monitor.dashboards.connected", events, LiveEvents::viewers,
        "live dashboards connected (at most " + LiveEvents.MAX_VIEWERS + ")");
    counter("kvstore.monitor.dashboards.refused", events, LiveEvents::viewersRefused,
        "live dashboards answered 503: the most allowed were connected");
    counter("kvstore.monitor.dashboards.updates.skipped", events, LiveEvents::updatesSkipped,
        "live updates a slow dashboard never got: a newer one replaced them");
    this.app =
        HttpServers.create(
            bind,
            port,
            cfg -> {
              cfg.staticFiles.add(
                  files -> {
                    files.hostedPath = "/assets";
                    files.directory = DASHBOARD;
                    files.location = Location.CLASSPATH;
                  });
              cfg.routes.get(
                  "/", ctx -> ctx.contentType("text/html; charset=utf-8").result(indexPage));
              cfg.routes.get("/api/cluster", ctx -> json.cluster(jsonBody(ctx), view.summary()));
              cfg.routes.get("/api/nodes", ctx -> json.nodes(jsonBody(ctx), view.nodes()));
              cfg.routes.get("/api/nodes/{id}", ctx -> nodeDetail(ctx.pathParam("id"), ctx));
              cfg.routes.get("/api/intake", this::intakeCounts);
              cfg.routes.get("/api/ops", ctx -> opsJson.operations(jsonBody(ctx), view.operations()));
              cfg.routes.get("/api/ops/{id}", ctx -> operationDetail(ctx.pathParam("id"), ctx));
              cfg.routes.get("/api/events", events::handle);
              cfg.routes.get("/metrics", ctx -> HttpServers.metrics(ctx, registry));
            });
  }

  /** Where to register more meters (e.g. report intake counters) to be served at /metrics. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Serves the intake's counters at /metrics: how many reports came, and what became of them. */
  public void registerIntake(ReportIntake intake) {
    intakeCounter("received", "report datagrams received", intake.received);
    intakeCounter("accepted", "reports applied to the view", intake.accepted);
    intakeCounter("dropped", "reports dropped because the intake queue was full", intake.dropped);
    intakeCounter("malformed", "reports refused as malformed or oversized", intake.malformed);
    intakeCounter(
        "unauthenticated", "reports refused for a bad or missing HMAC", intake.unauthenticated);
    intakeCounter("not.member", "reports refused: the node is not a member", intake.notMember);
    intakeCounter("stale", "reports refused: no recent round, or a repeat (replay)", intake.staleOrReplayed);
    intakeCounter("over.limits", "reports refused: too many stats or labels, or too long names", intake.overLimits);
    intakeCounter("over.budget", "reports refused: the view's memory budget is full", intake.overMemoryBudget);
    this.intake = intake;
    gauge("kvstore.monitor.reports.queued", intake, ReportIntake::queued, "reports waiting to be applied");
  }

  private void intakeCounter(String outcome, String description, LongAdder count) {
    counter("kvstore.monitor.reports." + outcome, count, LongAdder::sum, description);
  }

  /** Registers a counter read from {@code source} at each scrape. */
  <T> void counter(String name, T source, java.util.function.ToDoubleFunction<T> count,
      String description) {
    FunctionCounter.builder(name, source, count).description(description).register(registry);
  }

  private <T> void gauge(String name, T source, java.util.function.ToDoubleFunction<T> value,
      String description) {
    Gauge.builder(name, source, value).description(description).register(registry);
  }

  public StatusHttpServer start() {
    app.start();
    events.start();
    return this;
  }

  /** The port listened on (the one chosen if 0 was asked). */
  public int port() {
    return app.port();
  }

  public void stop() {
    events.stop();
    app.stop();
  }

  private void intakeCounts(Context ctx) throws IOException {
    ReportIntake counted = intake;
    if (counted == null) {
      ctx.status(404);
      json.error(jsonBody(ctx), "this server has no report intake");
    } else {
      json.intake(jsonBody(ctx), counted, view);
    }
  }

  private void operationDetail(String id, Context ctx) throws IOException {
    Optional<OperationStatus> op = view.operation(id);
    if (op.isPresent()) {
      opsJson.operation(jsonBody(ctx), op.get());
    } else {
      ctx.status(404);
      json.error(jsonBody(ctx), "no operation with id " + id + " has been reported (ids: 8 or more hex digits)");
    }
  }

  private void nodeDetail(String id, Context ctx) throws IOException {
    Optional<NodeStatus> node = view.node(id);
    if (node.isPresent()) {
      json.node(jsonBody(ctx), node.get(), view.history(id).orElseThrow());
    } else {
      ctx.status(404);
      json.error(jsonBody(ctx), "no node with id " + id);
    }
  }

  private static OutputStream jsonBody(Context ctx) {
    return ctx.contentType(HttpServers.JSON).outputStream();
  }

  private static byte[] resource(String path) {
    try (InputStream in = StatusHttpServer.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
