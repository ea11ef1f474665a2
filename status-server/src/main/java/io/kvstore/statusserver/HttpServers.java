package io.kvstore.statusserver;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.function.Consumer;

/** What the status server and a node's metrics server share. */
final class HttpServers {
  /** The Prometheus text exposition format that {@link PrometheusMeterRegistry#scrape()} writes. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  static final String JSON = "application/json";

  private HttpServers() {}

  /** A server on {@code bind:port} (port 0: any free port) with the routes {@code setup} adds. */
  static Javalin create(String bind, int port, Consumer<JavalinConfig> setup) {
    return Javalin.create(
        cfg -> {
          cfg.startup.showJavalinBanner = false;
          cfg.startup.showOldJavalinVersionWarning = false;
          cfg.jetty.host = bind;
          cfg.jetty.port = port;
          setup.accept(cfg);
        });
  }

  /** Streams the registry's metrics: at 10,000 nodes the text is tens of MB. */
  static void metrics(Context ctx, PrometheusMeterRegistry registry) throws IOException {
    ctx.contentType(PROMETHEUS_TEXT);
    registry.scrape(ctx.outputStream());
  }
}
