package io.kvstore.node.monitor.server;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Serves a node's own metrics at {@code GET /metrics} (the node's optional {@code --http-port}).
 */
public final class NodeMetricsHttpServer {
  private final Javalin app;

  /**
   * @param bind the address to listen on, e.g. 127.0.0.1
   * @param port the port, or 0 for any free port
   */
  public NodeMetricsHttpServer(PrometheusMeterRegistry registry, String bind, int port) {
    app =
        HttpServers.create(
            bind,
            port,
            cfg -> cfg.routes.get("/metrics", ctx -> HttpServers.metrics(ctx, registry)));
  }

  public NodeMetricsHttpServer start() {
    app.start();
    return this;
  }

  /** The port listened on (the one chosen if 0 was asked). */
  public int port() {
    return app.port();
  }

  public void stop() {
    app.stop();
  }
}
