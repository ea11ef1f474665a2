package io.kvstore.node.ops.run;

import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.runtime.Clock;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IO adapter that runs operation scripts with bash (the only place operations start
 * processes). Each script runs as {@code setsid bash SCRIPT} in a process group of its own, in
 * {@code DATA_DIR/ops/work/<op-id>}, with a minimal environment (nothing of the node's own, so no
 * secret leaks into it), stdin from /dev/null, stdout and stderr merged into a bounded tail.
 * The timeout sends SIGTERM to the whole group, SIGKILL {@link #KILL_GRACE_MILLIS} later; when
 * the script ends by itself, what it left running in its group is ended the same way. At most
 * {@code maxConcurrent} scripts run and {@code maxQueued} wait; beyond that a task is refused
 * {@code busy}.
 */
public final class BashScriptRunner implements ScriptRunner, OperationRunner, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BashScriptRunner.class);
  /** Between SIGTERM and SIGKILL to a script's group. */
  public static final long KILL_GRACE_MILLIS = 2_000;
  /** Output tails kept on disk under {@code ops/output} (the oldest are deleted beyond). */
  static final int OUTPUT_FILES_KEPT = 256;
  static final String PATH = "/usr/local/bin:/usr/bin:/bin";

  /**
   * @param maxConcurrent scripts running at once
   * @param maxQueued scripts waiting for a slot
   * @param maxTimeoutMillis the longest timeout any operation gets
   * @param outputTailBytes output bytes kept per script (the tail)
   */
  public record Settings(int maxConcurrent, int maxQueued, long maxTimeoutMillis, int outputTailBytes) {
    public Settings {
      if (maxConcurrent < 1 || maxQueued < 0 || maxTimeoutMillis < 1 || outputTailBytes < 1) {
        throw new IllegalArgumentException("invalid runner settings " + maxConcurrent + "/"
            + maxQueued + "/" + maxTimeoutMillis + "/" + outputTailBytes);
      }
    }
  }

  private final Path dataDir;
  private final String nodeId;
  private final Settings settings;
  private final Clock clock;
  private final RecentResults results;
  private final RunnerStats stats;
  private final ThreadPoolExecutor slots;
  private final ScheduledExecutorService timers;
  /** Process group of each running script, by operation id: what close() ends. */
  private final Map<String, Long> running = new ConcurrentHashMap<>();
  private final AtomicInteger readers = new AtomicInteger();

  public BashScriptRunner(
      Path dataDir, String nodeId, Settings settings, Clock clock, RecentResults results,
      RunnerStats stats) {
    this.dataDir = dataDir.toAbsolutePath();
    this.nodeId = nodeId;
    this.settings = settings;
    this.clock = clock;
    this.results = results;
    this.stats = stats;
    BlockingQueue<Runnable> waiting =
        settings.maxQueued() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(settings.maxQueued());
    AtomicInteger threads = new AtomicInteger();
    this.slots =
        new ThreadPoolExecutor(settings.maxConcurrent(), settings.maxConcurrent(), 0, TimeUnit.SECONDS,
            waiting, r -> daemon(r, "ops-runner-" + threads.incrementAndGet()));
    ScheduledThreadPoolExecutor timerPool = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "ops-timeouts"));
    timerPool.setRemoveOnCancelPolicy(true);
    this.timers = timerPool;
  }

  /** Timeouts and hard kills still scheduled (tests: none once every script has ended). */
  int pendingTimers() {
    return ((ScheduledThreadPoolExecutor) timers).getQueue().size();
  }

  @Override
  public boolean submit(ScriptTask task) {
    OperationResult queued =
        new OperationResult(task.id(), nodeId, task.kind(), task.targets(), OperationState.QUEUED, -1, 0, "", 0);
    results.record(queued);
    try {
      slots.execute(() -> run(task, queued));
      return true;
    } catch (RejectedExecutionException e) {
      stats.refusedBusy.increment();
      String why = "busy: " + settings.maxConcurrent() + " scripts running and " + settings.maxQueued()
          + " waiting (ops.max-concurrent, ops.max-queued)";
      log.warn("operation {} refused: {}", task.id(), why);
      results.record(queued.advance(OperationState.REFUSED, -1, 0, why, 0));
      return false;
    }
  }

  /**
   * A verified script operation targeting this node (the membership thread calls: submit never
   * blocks). File operations are not scripts: their then-script comes through {@link #submit}.
   */
  @Override
  public void run(SignedOperation op) {
    if (op.kind() != SignedOperation.Kind.SCRIPT) {
      return;
    }
    try {
      submit(ScriptTask.of(op));
    } catch (IllegalArgumentException e) {
      log.warn("operation {} not run: {}", op.idHex(), e.getMessage());
    }
  }

  /**
   * The then-script of a file operation, once its file is written (slice ops-files): runs like a
   * script operation, under the operation's id and timeout, reported as kind {@code file}.
   */
  public boolean runThen(SignedOperation op, String script) {
    return submit(new ScriptTask(op.idHex(), "file", op.targets().toString(), script, op.timeoutMillis(),
        op.expiresAtMillis()));
  }

  /**
   * A file operation refused before anything ran (file push: not enough disk, larger than the
   * chunk store): recorded as {@link OperationState#REFUSED} of kind {@code file}, the reason as
   * its output, so the dashboard shows it like a refused script.
   */
  public void refusedFile(SignedOperation op, String reason) {
    results.record(new OperationResult(op.idHex(), nodeId, "file", op.targets().toString(),
        OperationState.REFUSED, -1, 0, reason, 0));
  }

  /** The results of the last operations, for status reports. */
  public RecentResults results() {
    return results;
  }

  public RunnerStats stats() {
    return stats;
  }

  /** Scripts running now. */
  public int runningCount() {
    return slots.getActiveCount();
  }

  /** Scripts waiting for a slot. */
  public int queuedCount() {
    return slots.getQueue().size();
  }

  private void run(ScriptTask task, OperationResult queued) {
    long now = clock.currentTimeMillis();
    if (now >= task.expiresAtMillis()) {
      // Verified before it expired, but it waited for a slot past its expiry: an expired
      // operation never runs, also one that was accepted in time (ops.max-queued waits).
      stats.expiredBeforeStart.increment();
      String why = "expired " + (now - task.expiresAtMillis()) + " ms ago while waiting for a slot";
      log.warn("operation {} not run: {}", task.id(), why);
      results.record(queued.advance(OperationState.REFUSED, -1, 0, why, 0));
      return;
    }
    long startedAt = clock.nanoTime();
    long timeout = Math.min(task.timeoutMillis(), settings.maxTimeoutMillis());
    Process process;
    Path script = dataDir.resolve("ops").resolve("scripts").resolve(task.id() + ".sh");
    try {
      Path work = dataDir.resolve("ops").resolve("work").resolve(task.id());
      Files.createDirectories(work);
      Files.createDirectories(script.getParent());
      Files.deleteIfExists(script);
      Files.createFile(script, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(script, task.script(), StandardCharsets.UTF_8);
      ProcessBuilder builder =
          new ProcessBuilder("setsid", "bash", script.toString())
              .directory(work.toFile())
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Map<String, String> env = builder.environment();
      env.clear();
      env.put("PATH", PATH);
      env.put("HOME", work.toString());
      env.put("LANG", "C.UTF-8");
      env.put("KVSTORE_OP_ID", task.id());
      env.put("KVSTORE_NODE_ID", nodeId);
      env.put("KVSTORE_DATA_DIR", dataDir.toString());
      env.put("KVSTORE_FILES_DIR", dataDir.resolve("ops").resolve("files").toString());
      process = builder.start();
    } catch (IOException | RuntimeException e) {
      stats.failedToStart.increment();
      log.warn("operation {}: bash did not start: {}", task.id(), e.toString());
      deleteQuietly(script);
      results.record(queued.advance(OperationState.FAILED_TO_START, -1, 0, "bash did not start: " + e, 0));
      return;
    }
    stats.started.increment();
    // setsid execs bash (a JVM child is no group leader), so the group id is bash's pid.
    long group = process.pid();
    running.put(task.id(), group);
    results.record(queued.advance(OperationState.RUNNING, -1, 0, "", 0));
    log.info("operation {}: running (process group {}, timeout {} ms)", task.id(), group, timeout);
    OutputTail tail = new OutputTail(settings.outputTailBytes());
    Thread reader = daemon(() -> drain(process.getInputStream(), tail), "ops-output-" + readers.incrementAndGet());
    reader.start();
    AtomicBoolean timedOut = new AtomicBoolean();
    AtomicReference<ScheduledFuture<?>> hardKill = new AtomicReference<>();
    ScheduledFuture<?> deadline = timers.schedule(() -> {
      timedOut.set(true);
      ProcessGroups.terminate(group);
      hardKill.set(timers.schedule(() -> ProcessGroups.killHard(group), KILL_GRACE_MILLIS, TimeUnit.MILLISECONDS));
    }, timeout, TimeUnit.MILLISECONDS);
    int exit;
    try {
      exit = process.waitFor();
      deadline.cancel(false);
      // What the script left behind in its group ends with it.
      ProcessGroups.end(group, KILL_GRACE_MILLIS);
      // The group is gone: a SIGKILL still pending could hit a new group that reuses its id.
      ScheduledFuture<?> pending = hardKill.get();
      if (pending != null) {
        pending.cancel(false);
      }
      reader.join(1_000);
    } catch (InterruptedException e) {
      // close(): the node is stopping; its scripts end with it.
      Thread.currentThread().interrupt();
      ProcessGroups.killHard(group);
      exit = -1;
    } finally {
      running.remove(task.id());
      deleteQuietly(script);
    }
    if (reader.isAlive()) {
      stats.outputAbandoned.increment();
    }
    long duration = TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - startedAt);
    OperationState state = timedOut.get() ? OperationState.TIMED_OUT : OperationState.DONE;
    if (state == OperationState.TIMED_OUT) {
      stats.timedOut.increment();
    } else if (exit == 0) {
      stats.succeeded.increment();
    } else {
      stats.failed.increment();
    }
    stats.outputDroppedBytes.add(tail.droppedBytes());
    keepOutput(task.id(), tail);
    results.record(queued.advance(state, exit, duration, tail.text(), tail.droppedBytes()));
    log.info("operation {}: {} exit {} after {} ms ({} output bytes, {} dropped)", task.id(), state, exit,
        duration, tail.totalBytes(), tail.droppedBytes());
  }

  private static void drain(InputStream output, OutputTail tail) {
    byte[] buffer = new byte[8192];
    try (output) {
      for (int n; (n = output.read(buffer)) > 0; ) {
        tail.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // the process went away: what was read is the tail
    }
  }

  /** The tail goes to {@code ops/output/<id>.log}; beyond {@link #OUTPUT_FILES_KEPT} the oldest go. */
  private void keepOutput(String id, OutputTail tail) {
    Path dir = dataDir.resolve("ops").resolve("output");
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve(id + ".log"), tail.bytes());
      File[] kept = dir.toFile().listFiles((d, name) -> name.endsWith(".log"));
      if (kept != null && kept.length > OUTPUT_FILES_KEPT) {
        java.util.Arrays.sort(kept, java.util.Comparator.comparingLong(File::lastModified));
        for (int i = 0; i < kept.length - OUTPUT_FILES_KEPT; i++) {
          Files.deleteIfExists(kept[i].toPath());
        }
      }
    } catch (IOException e) {
      log.warn("operation {}: output not kept on disk: {}", id, e.toString());
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover script file is overwritten by the next run of that id (there is none)
    }
  }

  /** Stops taking tasks and ends every running script's process group. */
  @Override
  public void close() {
    slots.shutdownNow();
    for (Long group : running.values()) {
      ProcessGroups.killHard(group);
    }
    timers.shutdownNow();
    // A slot still records the result of the script it just lost; wait (bounded) so that nothing
    // writes into the ops directory after close returns.
    try {
      if (!slots.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("script slots still busy 5 s after close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
