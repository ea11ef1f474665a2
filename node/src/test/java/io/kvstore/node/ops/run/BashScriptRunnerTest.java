package io.kvstore.node.ops.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.codec.TargetSelector;
import io.kvstore.node.ops.keys.OperatorKeys;
import io.kvstore.node.runtime.SystemClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bash adapter on real processes: exit codes, timeouts, floods, limits, environment. */
class BashScriptRunnerTest {
  @TempDir Path dataDir;
  private final RecentResults results = new RecentResults();
  private final RunnerStats stats = new RunnerStats();
  private BashScriptRunner runner;
  /** Pids of children the scripts reported: killed here if a test failed before the runner did. */
  private final Set<Long> children = new HashSet<>();

  @AfterEach
  void endEverything() {
    if (runner != null) {
      runner.close();
    }
    children.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  private BashScriptRunner runner(int concurrent, int queued, int tailBytes) {
    runner = new BashScriptRunner(dataDir, "node-a",
        new BashScriptRunner.Settings(concurrent, queued, 3_600_000, tailBytes), SystemClock.INSTANCE,
        results, stats);
    return runner;
  }

  private static String newId() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return java.util.HexFormat.of().formatHex(b);
  }

  private static ScriptTask task(String id, String script, long timeoutMillis) {
    return new ScriptTask(id, "script", "all", script, timeoutMillis, Long.MAX_VALUE);
  }

  private OperationResult awaitFinal(String id, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      OperationResult r = results.get(id);
      if (r != null && r.state().isFinal()) {
        return r;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("operation " + id + " not finished within " + within + ": " + results.get(id));
  }

  private OperationResult runToEnd(String script, long timeoutMillis) throws InterruptedException {
    String id = newId();
    assertThat(runner.submit(task(id, script, timeoutMillis))).isTrue();
    return awaitFinal(id, Duration.ofMillis(timeoutMillis + 15_000));
  }

  private Path work(String id) {
    return dataDir.resolve("ops/work/" + id);
  }

  private long childPid(OperationResult r) throws IOException {
    long pid = Long.parseLong(Files.readString(work(r.id()).resolve("child.pid")).trim());
    children.add(pid);
    return pid;
  }

  private static boolean gone(long pid) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  @Test
  void reportsExitCodeAndMergedOutput() throws Exception {
    runner(2, 4, 65_536);
    OperationResult r = runToEnd("echo out; echo err >&2; exit 3", 10_000);
    assertThat(r.state()).isEqualTo(OperationState.DONE);
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.outputTail()).isEqualTo("out\nerr\n");
    assertThat(r.truncatedBytes()).isZero();
    assertThat(r.node()).isEqualTo("node-a");
    assertThat(stats.started.sum()).isEqualTo(1);
    assertThat(stats.failed.sum()).isEqualTo(1);
    assertThat(Files.readString(dataDir.resolve("ops/output/" + r.id() + ".log"))).isEqualTo("out\nerr\n");
    // The script file is gone once it ran (only what the script made stays).
    assertThat(dataDir.resolve("ops/scripts/" + r.id() + ".sh")).doesNotExist();
    assertThat(runToEnd("true", 10_000).exitCode()).isZero();
    assertThat(stats.succeeded.sum()).isEqualTo(1);
  }

  @Test
  void timeoutKillsTheWholeGroupAlsoBackgroundedChildren() throws Exception {
    runner(2, 4, 65_536);
    long started = System.nanoTime();
    OperationResult r = runToEnd("sleep 300 & echo $! > child.pid; sleep 300", 500);
    assertThat(r.state()).isEqualTo(OperationState.TIMED_OUT);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(r.durationMillis()).isBetween(400L, 10_000L);
    assertThat(gone(childPid(r))).as("backgrounded child killed with the group").isTrue();
    assertThat(stats.timedOut.sum()).isEqualTo(1);
    // The group ended on SIGTERM: its SIGKILL, due 2 s later, must not wait for a new group that
    // may reuse the id by then.
    assertThat(runner.pendingTimers()).as("timers left after the script ended").isZero();
  }

  @Test
  void aScriptIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
    runner(2, 4, 65_536);
    OperationResult r =
        runToEnd("trap '' TERM; (trap '' TERM; sleep 300) & echo $! > child.pid; while :; do sleep 0.1; done", 500);
    assertThat(r.state()).isEqualTo(OperationState.TIMED_OUT);
    assertThat(r.durationMillis()).isGreaterThanOrEqualTo(500 + BashScriptRunner.KILL_GRACE_MILLIS - 100);
    assertThat(gone(childPid(r))).isTrue();
  }

  @Test
  void whatAScriptLeavesRunningEndsWithIt() throws Exception {
    runner(2, 4, 65_536);
    OperationResult r = runToEnd("sleep 300 & echo $! > child.pid; echo started", 30_000);
    assertThat(r.state()).isEqualTo(OperationState.DONE);
    assertThat(r.exitCode()).isZero();
    assertThat(r.outputTail()).isEqualTo("started\n");
    assertThat(gone(childPid(r))).isTrue();
  }

  @Test
  void anOutputFloodStaysBoundedInMemoryAndOnDisk() throws Exception {
    runner(2, 4, 65_536);
    OperationResult r = runToEnd("yes | head -c 100M; echo; echo last line", 60_000);
    assertThat(r.state()).isEqualTo(OperationState.DONE);
    long total = 100L * 1024 * 1024 + "\nlast line\n".length();
    assertThat(r.truncatedBytes()).isEqualTo(total - 65_536);
    assertThat(r.outputTail()).hasSize(65_536).endsWith("y\ny\n\nlast line\n");
    assertThat(stats.outputDroppedBytes.sum()).isEqualTo(total - 65_536);
    // On disk: the tail only, and nothing in the working directory.
    assertThat(Files.size(dataDir.resolve("ops/output/" + r.id() + ".log"))).isEqualTo(65_536);
    try (var files = Files.walk(dataDir)) {
      long bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      assertThat(bytes).isLessThanOrEqualTo(65_536);
    }
  }

  @Test
  void atMostMaxConcurrentRunAndMaxQueuedWaitTheRestIsRefusedBusy() throws Exception {
    runner(2, 1, 65_536);
    String wait = "while [ ! -f \"$KVSTORE_DATA_DIR/release\" ]; do sleep 0.05; done; date +%s%N";
    List<String> ids = List.of(newId(), newId(), newId(), newId());
    assertThat(runner.submit(task(ids.get(0), wait, 60_000))).isTrue();
    assertThat(runner.submit(task(ids.get(1), wait, 60_000))).isTrue();
    assertThat(runner.submit(task(ids.get(2), wait, 60_000))).isTrue();
    assertThat(runner.submit(task(ids.get(3), wait, 60_000))).isFalse();
    assertThat(results.get(ids.get(3)).state()).isEqualTo(OperationState.REFUSED);
    assertThat(results.get(ids.get(3)).outputTail()).startsWith("busy");
    assertThat(stats.refusedBusy.sum()).isEqualTo(1);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (stats.started.sum() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(300);
    assertThat(stats.started.sum()).isEqualTo(2);
    assertThat(results.get(ids.get(2)).state()).isEqualTo(OperationState.QUEUED);
    assertThat(runner.runningCount()).isEqualTo(2);
    assertThat(runner.queuedCount()).isEqualTo(1);
    Files.createFile(dataDir.resolve("release"));
    for (String id : ids.subList(0, 3)) {
      assertThat(awaitFinal(id, Duration.ofSeconds(15)).exitCode()).isZero();
    }
    assertThat(stats.started.sum()).isEqualTo(3);
    assertThat(work(ids.get(3))).doesNotExist();
  }

  @Test
  void aScriptStillWaitingForASlotWhenItsOperationExpiresNeverStarts() throws Exception {
    runner(1, 1, 65_536);
    String wait = "while [ ! -f \"$KVSTORE_DATA_DIR/release\" ]; do sleep 0.05; done";
    String first = newId();
    String late = newId();
    assertThat(runner.submit(task(first, wait, 60_000))).isTrue();
    long expires = System.currentTimeMillis() + 300;
    assertThat(runner.submit(new ScriptTask(late, "script", "all", "touch \"$KVSTORE_DATA_DIR/ran\"", 60_000, expires)))
        .isTrue();
    assertThat(results.get(late).state()).isEqualTo(OperationState.QUEUED);
    while (System.currentTimeMillis() < expires + 100) {
      Thread.sleep(20);
    }
    Files.createFile(dataDir.resolve("release")); // the slot frees after the expiry
    OperationResult r = awaitFinal(late, Duration.ofSeconds(15));
    assertThat(r.state()).isEqualTo(OperationState.REFUSED);
    assertThat(r.outputTail()).contains("expired").contains("waiting for a slot");
    assertThat(dataDir.resolve("ran")).doesNotExist();
    assertThat(work(late)).doesNotExist();
    assertThat(stats.expiredBeforeStart.sum()).isEqualTo(1);
    assertThat(stats.started.sum()).isEqualTo(1);
    assertThat(awaitFinal(first, Duration.ofSeconds(15)).exitCode()).isZero();
  }

  @Test
  void theEnvironmentIsMinimalNothingOfTheNodesLeaks() throws Exception {
    runner(2, 4, 65_536);
    OperationResult r = runToEnd("env", 10_000);
    Set<String> names = Arrays.stream(r.outputTail().split("\n"))
        .map(line -> line.substring(0, line.indexOf('='))).collect(Collectors.toSet());
    // bash itself sets PWD, SHLVL and _.
    assertThat(names).containsExactlyInAnyOrder("PATH", "HOME", "LANG", "KVSTORE_OP_ID", "KVSTORE_NODE_ID",
        "KVSTORE_DATA_DIR", "KVSTORE_FILES_DIR", "PWD", "SHLVL", "_");
    assertThat(r.outputTail())
        .contains("PATH=/usr/local/bin:/usr/bin:/bin\n", "LANG=C.UTF-8\n", "KVSTORE_NODE_ID=node-a\n",
            "KVSTORE_OP_ID=" + r.id() + "\n", "HOME=" + work(r.id()).toAbsolutePath() + "\n",
            "KVSTORE_DATA_DIR=" + dataDir.toAbsolutePath() + "\n",
            "KVSTORE_FILES_DIR=" + dataDir.toAbsolutePath().resolve("ops/files") + "\n");
    // Whatever this JVM has in its environment (the node's would hold KVSTORE_CLUSTER_SECRET) stays out.
    for (var e : System.getenv().entrySet()) {
      if (!names.contains(e.getKey()) && e.getValue().length() > 3) {
        assertThat(r.outputTail()).doesNotContain(e.getKey() + "=");
      }
    }
    // stdin is /dev/null: a script reading it gets end of file at once.
    assertThat(runToEnd("cat; echo read-done", 10_000).outputTail()).isEqualTo("read-done\n");
  }

  @Test
  void eachOperationRunsInItsOwnWorkingDirectory() throws Exception {
    runner(2, 4, 65_536);
    OperationResult first = runToEnd("pwd; echo one > made-here", 10_000);
    OperationResult second = runToEnd("pwd; ls -A", 10_000);
    assertThat(first.outputTail()).isEqualTo(work(first.id()).toAbsolutePath() + "\n");
    assertThat(Files.readString(work(first.id()).resolve("made-here"))).isEqualTo("one\n");
    // The second sees an empty directory of its own, not the first one's file.
    assertThat(second.outputTail()).isEqualTo(work(second.id()).toAbsolutePath() + "\n");
  }

  @Test
  void aDataDirThatCannotHoldTheWorkingDirectoryFailsToStartClearly() throws Exception {
    Files.writeString(dataDir.resolve("ops"), "a file where the ops directory should be");
    runner(2, 4, 65_536);
    OperationResult r = runToEnd("touch x", 10_000);
    assertThat(r.state()).isEqualTo(OperationState.FAILED_TO_START);
    assertThat(r.outputTail()).startsWith("bash did not start:");
    assertThat(stats.failedToStart.sum()).isEqualTo(1);
    assertThat(stats.started.sum()).isZero();
    assertThat(Files.readString(dataDir.resolve("ops"))).startsWith("a file where");
  }

  @Test
  void idsThatAreNotHexNeverReachTheFileSystem() {
    assertThatThrownBy(() -> task("../../etc/passwd0000000000000000000", "true", 1000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 lower-case hex");
    assertThatThrownBy(() -> task("ABCDEF00ABCDEF00ABCDEF00ABCDEF00", "true", 1000))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> task(newId(), "true", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSignedScriptOperationRunsWithItsIdTargetsAndTimeout() throws Exception {
    runner(2, 4, 65_536);
    SignedOperation op = SignedOperation.builder(new java.util.Random(7), System.currentTimeMillis())
        .targets(TargetSelector.label("rack", "r1")).timeoutMillis(400)
        .script("echo \"$KVSTORE_OP_ID\"; sleep 30").sign(OperatorKeys.generate("ops"));
    runner.run(op);
    OperationResult r = awaitFinal(op.idHex(), Duration.ofSeconds(15));
    assertThat(r.state()).isEqualTo(OperationState.TIMED_OUT);
    assertThat(r.outputTail()).isEqualTo(op.idHex() + "\n");
    assertThat(r.targets()).isEqualTo("rack=r1");
    assertThat(r.kind()).isEqualTo("script");
  }

  @Test
  void closeEndsRunningScripts() throws Exception {
    runner(2, 4, 65_536);
    String id = newId();
    runner.submit(task(id, "sleep 300 & echo $! > child.pid; sleep 300", 600_000));
    Path pidFile = work(id).resolve("child.pid");
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while ((!Files.exists(pidFile) || Files.size(pidFile) == 0) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    long child = Long.parseLong(Files.readString(pidFile).trim());
    children.add(child);
    runner.close();
    assertThat(gone(child)).isTrue();
  }

  @Test
  void aFileRefusedOnReceiptIsRecordedAsRefusedWithItsReasonAndNothingRuns() {
    runner(1, 1, 4096);
    SignedOperation op = SignedOperation.builder(new java.util.SplittableRandom(9), 0)
        .targets(TargetSelector.ALL).file(new byte[] {1}).sign(OperatorKeys.generate("alice"));
    runner.refusedFile(op, "not enough free disk: it needs 10 bytes here");
    OperationResult r = results.get(op.idHex());
    assertThat(r.state()).isEqualTo(OperationState.REFUSED);
    assertThat(r.kind()).isEqualTo("file");
    assertThat(r.outputTail()).isEqualTo("not enough free disk: it needs 10 bytes here");
    assertThat(stats.started.sum()).isZero();
  }
}
