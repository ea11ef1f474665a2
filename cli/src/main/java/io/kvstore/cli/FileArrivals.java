package io.kvstore.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Polls the status server's /api/nodes until every node reports {@code ops.files.NAME} as done
 * for this operation: {@code nodes with the file: 3/5 (1 failed)}.
 */
final class FileArrivals {
  private final String monitor;
  private final Pattern state;
  private final Pattern nodes = Pattern.compile("\"id\"\\s*:\\s*\"[^\"]*\"\\s*,\\s*\"address\"");
  private final PrintWriter out;

  FileArrivals(String monitor, String name, String opShortHex, PrintWriter out) {
    this.monitor = monitor;
    this.out = out;
    this.state = Pattern.compile("\"" + Pattern.quote(io.kvstore.node.monitor.FileTransferMetrics.statName(name))
        + "\"\\s*:\\s*\\{\\s*\"value\"\\s*:\\s*\"(done|failed[^\"]*) " + opShortHex + "\"");
  }

  int await(Duration max) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + max.toNanos();
    String line = "";
    while (System.nanoTime() < deadline) {
      String body;
      try {
        body = http.send(HttpRequest.newBuilder(URI.create("http://" + monitor + "/api/nodes"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
      } catch (IOException e) {
        throw new CliException(ExitCodes.UNREACHABLE, "status server " + monitor + ": " + e.getMessage());
      }
      int total = count(nodes.matcher(body));
      int done = 0;
      int failed = 0;
      Matcher m = state.matcher(body);
      while (m.find()) {
        if (m.group(1).equals("done")) {
          done++;
        } else {
          failed++;
        }
      }
      line = "nodes with the file: " + done + "/" + total + (failed > 0 ? " (" + failed + " failed)" : "");
      out.print("\r" + line + "   ");
      out.flush();
      if (total > 0 && done + failed == total) {
        out.println();
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
      }
      Thread.sleep(500);
    }
    out.println();
    out.flush();
    throw new CliException(ExitCodes.FAILURE, "not every node has the file after " + max + ": " + line);
  }

  private static int count(Matcher m) {
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
