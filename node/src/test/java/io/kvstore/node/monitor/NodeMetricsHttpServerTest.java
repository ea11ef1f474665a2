package io.kvstore.node.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeMetricsHttpServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void servesTheNodesLatestStatsAsPrometheusText() throws Exception {
    List<Stat> stats =
        List.of(
            Stat.gauge("requests.rate", "ops/s", 12.5),
            Stat.counter("internal.unauthenticated", "datagrams", 3),
            Stat.text("version", "1.0"),
            Stat.gauge("load.1m", "", Double.NaN));
    NodeMetricsHttpServer server =
        new NodeMetricsHttpServer(() -> PrometheusText.render("node-\"a\"", stats), "127.0.0.1", 0, a -> true)
            .start();
    try {
      HttpResponse<String> response = get(server, "/metrics");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).contains(PrometheusText.CONTENT_TYPE);
      assertThat(response.body())
          .contains("# TYPE kvstore_requests_rate gauge\n")
          .contains("kvstore_requests_rate{node=\"node-\\\"a\\\"\"} 12.5\n")
          .contains("kvstore_internal_unauthenticated{node=\"node-\\\"a\\\"\"} 3\n")
          .doesNotContain("version")
          .doesNotContain("load_1m");
    } finally {
      server.stop();
    }
  }

  @Test
  void answersOtherPathsWith404() throws Exception {
    NodeMetricsHttpServer server = new NodeMetricsHttpServer(() -> "", "127.0.0.1", 0, a -> true).start();
    try {
      assertThat(get(server, "/").statusCode()).isEqualTo(404);
      assertThat(get(server, "/metrics/x").statusCode()).isEqualTo(404);
    } finally {
      server.stop();
    }
  }

  @Test
  void sourcesOutsideAllowClientsGet403AndAreCounted() throws Exception {
    NodeMetricsHttpServer server = new NodeMetricsHttpServer(() -> "kvstore_x 1\n", "127.0.0.1", 0,
        a -> !a.isLoopbackAddress()).start();
    try {
      HttpResponse<String> r = get(server, "/metrics");
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).doesNotContain("kvstore_x");
      assertThat(server.refusedSource()).isEqualTo(1);
    } finally {
      server.stop();
    }
  }

  @Test
  void clientsThatConnectAndStallAreBoundedAndDroppedThenScrapesWorkAgain() throws Exception {
    NodeMetricsHttpServer server = new NodeMetricsHttpServer(() -> "kvstore_x 1\n", "127.0.0.1", 0, a -> true).start();
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) { // headers begun, never ended: each would hold a thread
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(15_000);
        s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: n\r\n".getBytes(StandardCharsets.US_ASCII));
        stalled.add(s);
      }
      long start = System.nanoTime();
      // The first two hold the threads: the server ends them after its request time.
      assertThat(stalled.get(0).getInputStream().read()).isEqualTo(-1);
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      assertThat(seconds).isLessThanOrEqualTo(NodeMetricsHttpServer.MAX_REQUEST_SECONDS + 3);
      // Beyond two running and eight waiting, connections were closed at once, and counted.
      assertThat(server.refusedBusy()).isGreaterThanOrEqualTo(10);
      for (Socket s : stalled) {
        s.close();
      }
      HttpResponse<String> r = get(server, "/metrics");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("kvstore_x 1");
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
      server.stop();
    }
  }

  private static HttpResponse<String> get(NodeMetricsHttpServer server, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
