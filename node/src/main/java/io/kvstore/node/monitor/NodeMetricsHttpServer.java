package io.kvstore.node.monitor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Serves a node's own metrics at {@code GET /metrics} (the node's optional {@code --http-port})
 * with the JDK's built-in HTTP server: the node carries no web framework. Bounded like the rest of
 * the node: two threads and 8 waiting connections (beyond that a connection is closed at once,
 * counted), at most {@value #MAX_CONNECTIONS} open connections, and a request must arrive whole
 * within {@value #MAX_REQUEST_SECONDS} s, so a client that connects and stalls holds a thread for
 * that long, not forever. Only sources the node answers at all ({@code allow-clients}) get the
 * page; others get 403.
 */
public final class NodeMetricsHttpServer {
  static final int MAX_CONNECTIONS = 32;
  static final int MAX_REQUEST_SECONDS = 5;
  static final int THREADS = 2;
  static final int QUEUED = 8;

  static {
    // The JDK server reads these once, when its first instance is made; a node runs only this
    // one. An operator's own -D setting wins.
    setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
    setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(MAX_REQUEST_SECONDS));
    setIfAbsent("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
    setIfAbsent("sun.net.httpserver.maxReqHeaderSize", "16384");
  }

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final LongAdder refusedBusy = new LongAdder();
  private final LongAdder refusedSource = new LongAdder();

  /**
   * @param page the current Prometheus text (see {@link PrometheusText})
   * @param bind the address to listen on: the node's bind address
   * @param port the port, or 0 for any free port
   * @param admits who may read the page (the node's allow-clients)
   */
  public NodeMetricsHttpServer(Supplier<String> page, String bind, int port, Predicate<InetAddress> admits)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 16);
    executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(QUEUED),
        r -> {
          Thread t = new Thread(r, "metrics-http");
          t.setDaemon(true);
          return t;
        },
        (task, pool) -> {
          refusedBusy.increment();
          throw new RejectedExecutionException("metrics server busy"); // the JDK closes the connection
        });
    server.setExecutor(executor);
    server.createContext("/", exchange -> answer(exchange, page, admits));
  }

  private void answer(HttpExchange exchange, Supplier<String> page, Predicate<InetAddress> admits)
      throws IOException {
    try (exchange) {
      if (!admits.test(exchange.getRemoteAddress().getAddress())) {
        refusedSource.increment();
        send(exchange, 403, "forbidden: not in the node's allow-clients\n");
        return;
      }
      boolean get = exchange.getRequestMethod().equals("GET");
      if (!exchange.getRequestURI().getPath().equals("/metrics") || !get) {
        send(exchange, get ? 404 : 405, get ? "not found: the node serves only /metrics\n" : "method not allowed\n");
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

  private static void send(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
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

  /** Connections closed unanswered because both threads were busy and 8 waited. */
  public long refusedBusy() {
    return refusedBusy.sum();
  }

  /** Requests answered 403: from a source outside allow-clients. */
  public long refusedSource() {
    return refusedSource.sum();
  }

  public void stop() {
    server.stop(0);
    executor.shutdownNow();
  }
}
