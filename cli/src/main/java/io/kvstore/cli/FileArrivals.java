package io.kvstore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.node.ops.codec.TargetSelector;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Polls the status server's /api/nodes until every node the operation targets reports
 * {@code ops.files.NAME} as done (or failed) for this operation: {@code nodes with the file: 3/5
 * (1 failed)}. Nodes it does not target (the origin among them, when it is none) are not counted.
 */
final class FileArrivals {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String monitor;
  private final String stat;
  private final String opShortHex;
  private final TargetSelector targets;
  private final PrintWriter out;

  FileArrivals(String monitor, String name, String opShortHex, TargetSelector targets, PrintWriter out) {
    this.monitor = monitor;
    this.stat = io.kvstore.node.monitor.FileTransferMetrics.statName(name);
    this.opShortHex = opShortHex;
    this.targets = targets;
    this.out = out;
  }

  /** Targeted nodes, and how many of them report done or failed, in an /api/nodes body. */
  record Count(int total, int done, int failed) {
    boolean finished() {
      return total > 0 && done + failed == total;
    }
  }

  Count count(String body) throws IOException {
    int total = 0;
    int done = 0;
    int failed = 0;
    for (JsonNode node : JSON.readTree(body)) {
      Map<String, String> labels = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.path("labels").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> label = it.next();
        labels.put(label.getKey(), label.getValue().asText());
      }
      if (!targets.matches(node.path("id").asText(), labels)) {
        continue;
      }
      total++;
      String state = node.path("stats").path(stat).path("value").asText("");
      if (state.equals("done " + opShortHex)) {
        done++;
      } else if (state.startsWith("failed") && state.endsWith(" " + opShortHex)) {
        failed++;
      }
    }
    return new Count(total, done, failed);
  }

  int await(Duration max) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + max.toNanos();
    String line = "";
    while (System.nanoTime() < deadline) {
      Count count;
      try {
        count = count(http.send(HttpRequest.newBuilder(URI.create("http://" + monitor + "/api/nodes"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
      } catch (IOException e) {
        throw new CliException(ExitCodes.UNREACHABLE, "status server " + monitor + ": " + e.getMessage());
      }
      line = "nodes with the file: " + count.done() + "/" + count.total()
          + (count.failed() > 0 ? " (" + count.failed() + " failed)" : "");
      out.print("\r" + line + "   ");
      out.flush();
      if (count.finished()) {
        out.println();
        out.flush();
        return count.failed() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
      }
      Thread.sleep(500);
    }
    out.println();
    out.flush();
    throw new CliException(ExitCodes.FAILURE, "not every node has the file after " + max + ": " + line);
  }
}
