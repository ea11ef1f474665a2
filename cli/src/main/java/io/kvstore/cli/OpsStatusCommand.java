package io.kvstore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./kvstore ops status ID}: per-node results, from the status server's /api/ops/ID. */
@Command(
    name = "status",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Show what operation ID did on each node, as the status server learned it from the nodes'",
      "status reports (they come every collection round: a result may take a round to appear).",
      "With --wait, a progress line follows the results until every targeted node is done.",
      "",
      "Exit code 0 when every node that reported ran it with exit 0, 4 when a node failed it",
      "(exit code not 0, timed out, refused, not started), 1 when no node reported it yet.",
      "",
      "Example:  ./kvstore ops status 3f2a9c1e --monitor 127.0.0.1:8080 --wait",
      ""
    },
    footer = ExitCodes.HELP)
final class OpsStatusCommand implements Callable<Integer> {
  private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{8,32}");
  private static final Set<String> FAILED = Set.of("TIMED_OUT", "REFUSED", "FAILED_TO_START");
  private static final Set<String> PENDING = Set.of("WAITING", "QUEUED", "RUNNING");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ID", description = "The operation id ./kvstore ops run printed (or its first 8 hex digits).")
  String id;

  @Option(names = "--monitor", defaultValue = "127.0.0.1:8080", paramLabel = "HOST:PORT",
      description = "The status server's HTTP address (default ${DEFAULT-VALUE}, as ./kvstore cluster starts it).")
  String monitor;

  @Option(names = "--wait", description = "Wait until every targeted node is done, with a live progress line.")
  boolean waitForAll;

  @Option(names = "--wait-timeout", defaultValue = "10m", converter = BenchCommand.DurationConverter.class,
      paramLabel = "DURATION", description = "Give up waiting after this long (default ${DEFAULT-VALUE}).")
  Duration waitTimeout;

  @Option(names = "--tails", description = "Print each node's output tail under its line.")
  boolean tails;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final ObjectMapper mapper = new ObjectMapper();

  @Override
  public Integer call() throws InterruptedException {
    if (!ID.matcher(id).matches()) {
      throw new CliException(ExitCodes.BAD_INPUT, "ID must be 8 to 32 hex digits, as ./kvstore ops run printed it");
    }
    long deadline = System.nanoTime() + waitTimeout.toNanos();
    PrintWriter err = spec.commandLine().getErr();
    boolean console = System.console() != null;
    String lastProgress = "";
    while (true) {
      JsonNode op = fetch();
      if (op != null) {
        String progress = progress(op);
        if (!waitForAll || !hasPending(op)) {
          if (waitForAll && console && !lastProgress.isEmpty()) {
            err.print("\r\033[K");
          }
          err.flush();
          return print(op);
        }
        if (!progress.equals(lastProgress)) {
          err.print(console ? "\r\033[K" + progress : progress + "\n");
          err.flush();
          lastProgress = progress;
        }
      } else if (!waitForAll) {
        err.println("kvstore: no node has reported operation " + id + " to " + monitor + " yet (results come"
            + " with the status rounds; retry, or add --wait)");
        err.flush();
        return ExitCodes.NOT_FOUND;
      }
      if (System.nanoTime() > deadline) {
        err.println((console ? "\n" : "") + "kvstore: gave up after --wait-timeout " + waitTimeout
            + (op == null ? ": no node reported operation " + id : ": " + progress(op)));
        err.flush();
        return ExitCodes.FAILURE;
      }
      Thread.sleep(1_000);
    }
  }

  /** The operation's JSON, or null if the status server has no report of it. */
  private JsonNode fetch() throws InterruptedException {
    URI uri;
    try {
      uri = URI.create("http://" + monitor + "/api/ops/" + id.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "--monitor " + monitor + ": " + e.getMessage());
    }
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 404) {
        return null;
      }
      if (response.statusCode() != 200) {
        throw new CliException(ExitCodes.SERVER_ERROR, monitor + " answered HTTP " + response.statusCode());
      }
      return mapper.readTree(response.body());
    } catch (IOException e) {
      throw new CliException(ExitCodes.UNREACHABLE, "no status server at " + monitor + " (" + e
          + "); give its HTTP address with --monitor HOST:PORT");
    }
  }

  /** {@code 3/5 nodes done, 1 running, 1 waiting}. */
  static String progress(JsonNode op) {
    int total = 0;
    int done = 0;
    int running = 0;
    int waiting = 0;
    for (JsonNode n : op.get("nodes")) {
      total++;
      switch (n.get("state").asText()) {
        case "RUNNING" -> running++;
        case "WAITING", "QUEUED" -> waiting++;
        default -> done++;
      }
    }
    return done + "/" + total + " nodes done, " + running + " running, " + waiting + " waiting";
  }

  private static boolean hasPending(JsonNode op) {
    for (JsonNode n : op.get("nodes")) {
      if (PENDING.contains(n.get("state").asText())) {
        return true;
      }
    }
    return false;
  }

  private int print(JsonNode op) {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("operation %s (%s, targets %s): %s%n", op.get("id").asText(), op.get("kind").asText(),
        op.get("targets").asText(), progress(op));
    out.printf("%-24s %-16s %5s %10s%n", "NODE", "STATE", "EXIT", "DURATION");
    boolean failed = false;
    for (JsonNode n : op.get("nodes")) {
      String state = n.get("state").asText();
      boolean hasExit = !n.get("exit").isNull();
      boolean pending = PENDING.contains(state);
      failed |= FAILED.contains(state) || (state.equals("DONE") && hasExit && n.get("exit").asInt() != 0);
      out.printf("%-24s %-16s %5s %10s%n", n.get("node").asText(), state, hasExit ? n.get("exit").asText() : "-",
          pending ? "-" : n.get("durationMillis").asLong() + " ms");
      String tail = n.path("tail").asText("");
      if (tails && !tail.isEmpty()) {
        if (n.get("truncatedBytes").asLong() > 0) {
          out.printf("    (%d earlier bytes not kept)%n", n.get("truncatedBytes").asLong());
        }
        for (String line : tail.split("\n")) {
          out.println("    " + line);
        }
      }
    }
    out.flush();
    return failed ? ExitCodes.SERVER_ERROR : ExitCodes.OK;
  }
}
