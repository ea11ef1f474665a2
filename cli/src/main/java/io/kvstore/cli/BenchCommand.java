package io.kvstore.cli;

import io.kvstore.cli.bench.BenchConfig;
import io.kvstore.cli.bench.BenchException;
import io.kvstore.cli.bench.BenchProgress;
import io.kvstore.cli.bench.BenchResult;
import io.kvstore.cli.bench.LoadGenerator;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** {@code ./kvstore bench}: a closed-loop load generator with latency percentiles. */
@Command(
    name = "bench",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Measure a node's throughput and latency with a closed loop of outstanding requests.",
      "",
      "Keeps --window requests in flight over --sockets UDP sockets; every reply sends the next",
      "request. Prints a progress bar on stderr, a summary with p50/p90/p99/p99.9/max latency,",
      "and one JSON line (--json: only the JSON line). Also speaks memcached's UDP protocol",
      "(--protocol memcached) so both can be measured with the same generator.",
      ""
    },
    footer = ExitCodes.HELP)
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--node", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:4000",
      description = "Server under test (default ${DEFAULT-VALUE}).")
  String node;

  @Option(names = "--protocol", defaultValue = "kvstore",
      description = "kvstore or memcached (default ${DEFAULT-VALUE}).")
  String protocol;

  @Option(names = "--workload", defaultValue = "mixed",
      description = "put, get or mixed (default ${DEFAULT-VALUE}).")
  String workload;

  @Option(names = "--get-ratio", defaultValue = "0.9",
      description = "Share of GETs in the mixed workload (default ${DEFAULT-VALUE}).")
  double getRatio;

  @Option(names = "--value-size", defaultValue = "100", paramLabel = "BYTES",
      description = "Value size (default ${DEFAULT-VALUE}).")
  int valueSize;

  @Option(names = "--keys", defaultValue = "10000", paramLabel = "N",
      description = "Distinct keys (default ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--window", defaultValue = "32", paramLabel = "N",
      description = "Outstanding requests (default ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--sockets", defaultValue = "4", paramLabel = "N",
      description = "Client sockets, one thread each (default ${DEFAULT-VALUE}).")
  int sockets;

  @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
      description = "Measured time, e.g. 10s or 1m (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "3s", converter = DurationConverter.class,
      description = "Warm-up before measuring (default ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--no-preload", negatable = false,
      description = "Skip storing every key once before a get or mixed run.")
  boolean noPreload;

  @Option(names = "--request-timeout", defaultValue = "1s", converter = DurationConverter.class,
      description = "A request unanswered this long counts as a timeout (default ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the key sequence (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print only the JSON line on stdout (no progress bar).")
  boolean jsonOnly;

  @Override
  public Integer call() {
    BenchConfig.Workload load = parseEnum(BenchConfig.Workload.class, workload, "--workload");
    BenchConfig config =
        BenchConfig.builder(node)
            .protocol(parseEnum(BenchConfig.Protocol.class, protocol, "--protocol"))
            .workload(load)
            .getRatio(getRatio)
            .valueSize(valueSize)
            .keyCount(keys)
            .window(window)
            .sockets(sockets)
            .duration(duration)
            .warmup(warmup)
            .preload(!noPreload && load != BenchConfig.Workload.PUT)
            .requestTimeout(requestTimeout)
            .seed(seed)
            .build();
    ProgressBar bar = new ProgressBar(System.err, !jsonOnly);
    BenchResult result;
    try {
      result = LoadGenerator.run(config, bar::update);
    } catch (BenchException e) {
      bar.finish();
      throw new CliException(ExitCodes.UNREACHABLE, e.getMessage());
    }
    bar.finish();
    if (!jsonOnly) {
      System.out.println(result.toHumanSummary());
    }
    System.out.println(result.toJson());
    return ExitCodes.OK;
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String text, String option) {
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CliException(
          ExitCodes.BAD_INPUT,
          option + " '" + text + "' is not one of "
              + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
    }
  }

  /** Parses 500ms, 10s, 2m, or plain seconds. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
          return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
        }
        if (v.endsWith("m")) {
          return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
        }
        return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + value + "' is not a duration; write e.g. 500ms, 10s or 2m");
      }
    }
  }

  /** A one-line progress bar on a terminal; occasional plain lines otherwise. */
  static final class ProgressBar {
    private final PrintStream out;
    private final boolean enabled;
    private final boolean terminal = System.console() != null;
    private long lastLine;
    private boolean drawn;

    ProgressBar(PrintStream out, boolean enabled) {
      this.out = out;
      this.enabled = enabled;
    }

    void update(BenchProgress p) {
      if (!enabled) {
        return;
      }
      int width = 30;
      int filled = (int) Math.round(p.fraction() * width);
      String detail =
          p.phase() == BenchProgress.Phase.PRELOAD
              ? String.format("%,d/%,d keys", p.keysLoaded(), p.keysTotal())
              : String.format("%,.0f ops/s, %d timeouts", p.opsPerSecond(), p.timeouts());
      String line =
          String.format(
              "%-8s [%s%s] %3.0f%%  %s",
              p.phase().name().toLowerCase(Locale.ROOT),
              "#".repeat(filled),
              " ".repeat(width - filled),
              p.fraction() * 100,
              detail);
      if (terminal) {
        out.print("\r" + line + "   ");
        drawn = true;
      } else if (System.nanoTime() - lastLine > 2_000_000_000L) {
        lastLine = System.nanoTime();
        out.println(line);
      }
      out.flush();
    }

    void finish() {
      if (drawn) {
        out.println();
      }
    }
  }
}
