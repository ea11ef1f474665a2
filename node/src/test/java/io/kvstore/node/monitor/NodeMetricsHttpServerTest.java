package io.kvstore.node.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
        new NodeMetricsHttpServer(() -> PrometheusText.render("node-\"a\"", stats), "127.0.0.1", 0)
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
    NodeMetricsHttpServer server = new NodeMetricsHttpServer(() -> "", "127.0.0.1", 0).start();
    try {
      assertThat(get(server, "/").statusCode()).isEqualTo(404);
      assertThat(get(server, "/metrics/x").statusCode()).isEqualTo(404);
    } finally {
      server.stop();
    }
  }

  private static HttpResponse<String> get(NodeMetricsHttpServer server, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
