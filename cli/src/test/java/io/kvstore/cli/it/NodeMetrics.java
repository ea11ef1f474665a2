package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A node's Prometheus {@code /metrics} (its {@code --http-port}), read as sample name to value. */
final class NodeMetrics {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern SAMPLE =
      Pattern.compile("(?m)^(kvstore_[a-z0-9_]+)(?:\\{[^}]*\\})? (\\S+)$");

  private NodeMetrics() {}

  /** Every {@code kvstore_*} sample the node serves now. */
  static Map<String, Double> scrape(int httpPort) throws IOException, InterruptedException {
    String body = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> values = new HashMap<>();
    Matcher m = SAMPLE.matcher(body);
    while (m.find()) {
      values.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return values;
  }

  /** One sample's value; fails the test if the node does not serve it. */
  static double value(int httpPort, String name) throws IOException, InterruptedException {
    Double v = scrape(httpPort).get(name);
    assertThat(v).as(name + " on :" + httpPort).isNotNull();
    return v;
  }
}
