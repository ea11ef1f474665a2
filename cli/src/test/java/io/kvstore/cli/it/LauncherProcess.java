package io.kvstore.cli.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./kvstore cluster ARGS} from the built jar, its output followed line by line, and the pid
 * of every node it starts (also nodes it starts again) taken from its table, so that
 * {@link #close()} ends them all, also when a test fails.
 */
final class LauncherProcess implements AutoCloseable {
  private static final Pattern NODE_ROW = Pattern.compile("^node-\\d+\\s+127\\.0\\.0\\.1:(\\d+)\\s+(\\d+)\\s");

  final Process process;
  final List<String> output = new CopyOnWriteArrayList<>();
  final List<Long> nodePids = new CopyOnWriteArrayList<>();
  /** The pid each node's port first had. */
  final Map<Integer, Long> firstPidByPort = new ConcurrentHashMap<>();

  private LauncherProcess(Process process) {
    this.process = process;
  }

  static LauncherProcess start(String... clusterArgs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-jar", NodeProcess.jar().toString(), "cluster"));
    cmd.addAll(List.of(clusterArgs));
    LauncherProcess launcher = new LauncherProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    launcher.follow(launcher.process, line -> { });
    return launcher;
  }

  /** Reads {@code p}'s output into {@link #output} (and node rows into the pids), each line to {@code onLine}. */
  void follow(Process p, Consumer<String> onLine) {
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          output.add(line);
          Matcher m = NODE_ROW.matcher(line);
          if (m.find()) {
            long pid = Long.parseLong(m.group(2));
            nodePids.add(pid);
            firstPidByPort.putIfAbsent(Integer.parseInt(m.group(1)), pid);
          }
          onLine.accept(line);
        }
      } catch (java.io.IOException e) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
  }

  String text() {
    return String.join("\n", output);
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    for (long pid : nodePids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
