package io.kvstore.node.monitor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves a node's own metrics at {@code GET /metrics} (the node's optional {@code --http-port})
 * with the JDK's built-in HTTP server: the node carries no web framework. One daemon thread
 * answers scrapes; the page is a few kilobytes.
 */
public final class NodeMetricsHttpServer {
  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * @param page the current Prometheus text (see {@link PrometheusText})
   * @param bind the address to listen on: the node's bind address
   * @param port the port, or 0 for any free port
   */
  public NodeMetricsHttpServer(Supplier<String> page, String bind, int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 16);
    executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", exchange -> answer(exchange, page));
  }

  private static void answer(HttpExchange exchange, Supplier<String> page) throws IOException {
    try (exchange) {
      boolean get = exchange.getRequestMethod().equals("GET");
      if (!exchange.getRequestURI().getPath().equals("/metrics") || !get) {
        byte[] body = (get ? "not found: the node serves only /metrics\n" : "method not allowed\n")
            .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(get ? 404 : 405, body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      byte[] body = page.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  public NodeMetricsHttpServer start() {
    server.start();
    return this;
  }

  /** The port listened on (the one chosen if 0 was asked). */
  public int port() {
    return server.getAddress().getPort();
  }

  public void stop() {
    server.stop(0);
    executor.shutdownNow();
  }
}
