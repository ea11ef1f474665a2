package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, files after a crash: a node killed (SIGKILL) while it holds some of a pushed file's
 * chunks but not all gets the file once it is restarted on the same data directory. Its replay
 * memory holds the operation (so the spread would never hand it over again) and its chunk store is
 * wiped at start, so only {@code FilePush.resume} can bring the file: the test checks the node's
 * log says so. The node already holds an older push of the same name and size (v1, then v2 as
 * config pushes go): a file's name and size prove nothing, v2 must still arrive. The then-script
 * runs exactly once on every node, and no partial file is left.
 */
class FilePushResumeIT {
  static final int NODES = 5;
  static final long SIZE = 64_000_000L; // ~62 chunks of 1 MiB: several seconds of transfer
  static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;

  @Test
  void aNodeKilledMidTransferGetsTheFileAfterItRestarts() throws Exception {
    Kvstore.Run keygen = Kvstore.run(dir, Duration.ofSeconds(30), "keygen", "--out", dir.resolve("op").toString());
    assertThat(keygen.exit()).as(keygen.all()).isZero();
    String ops = "ops:\n  trusted-keys: [ \"" + dir.resolve("op.pub") + "\" ]\n";
    ExecutorService cli = Executors.newSingleThreadExecutor();
    try (NodeCluster cluster = NodeCluster.start(dir, NODES, ops)) {
      Path older = dir.resolve("payload-v1.bin");
      String v1 = PushedFiles.writeRandom(older, SIZE, 6);
      Kvstore.Run first = Kvstore.run(dir, WAIT, "ops", "push", older.toString(), "--dest", "payload.bin",
          "--key", dir.resolve("op.key").toString(), "--node", "127.0.0.1:" + cluster.node(0).port);
      assertThat(first.exit()).as(first.all()).isZero();
      for (int i = 1; i <= NODES; i++) {
        assertArrives(dir.resolve("node-" + i), v1);
      }
      Path file = dir.resolve("payload.bin");
      String expected = PushedFiles.writeRandom(file, SIZE, 7);
      // each run appends one line: a then-script that ran twice shows as two
      String then = "echo \"$KVSTORE_OP_ID\" >> \"$KVSTORE_DATA_DIR/then-ran.log\"";
      Future<Kvstore.Run> push = cli.submit(() -> Kvstore.run(dir, WAIT, "ops", "push", file.toString(),
          "--dest", "payload.bin", "--then", then, "--key", dir.resolve("op.key").toString(),
          "--node", "127.0.0.1:" + cluster.node(0).port));

      Path victimData = dir.resolve("node-" + NODES);
      NodeProcess victim = cluster.node(NODES - 1);
      java.util.Set<String> v1Chunks = opDirs(victimData.resolve("ops").resolve("chunks"));
      int heldAtKill = awaitSomeChunks(victimData, 8, chunkCount(), v1Chunks);
      victim.kill();
      assertThat(PushedFiles.sha256(filesDir(victimData).resolve("payload.bin")))
          .as("killed before it had v2: it holds v1, of the same name and size").isEqualTo(v1);

      Kvstore.Run pushed = push.get(WAIT.toSeconds() + 10, TimeUnit.SECONDS);
      assertThat(pushed.exit()).as(pushed.all()).isZero();
      for (int i = 1; i < NODES; i++) {
        assertArrives(dir.resolve("node-" + i), expected);
      }

      long restart = System.nanoTime();
      victim.launch();
      assertArrives(victimData, expected);
      System.out.printf("file push resume: node %d killed holding %d of %d chunks; after its restart it had"
          + " the file in %.1f s%n", NODES, heldAtKill, chunkCount(), (System.nanoTime() - restart) / 1e9);
      assertThat(victim.logText()).as("the restarted node fetched through FilePush.resume")
          .contains("fetching 1 file(s) again that a restart interrupted");
      for (int i = 1; i <= NODES; i++) {
        awaitExists(dir.resolve("node-" + i).resolve("then-ran.log"));
      }
      Thread.sleep(2_000); // a second run, were there one, has had time to append
      for (int i = 1; i <= NODES; i++) {
        Path data = dir.resolve("node-" + i);
        assertThat(Files.readAllLines(data.resolve("then-ran.log")))
            .as("then-script runs on node %d (node %d was killed holding %d chunks)", i, NODES, heldAtKill)
            .hasSize(1);
        try (Stream<Path> left = Files.list(filesDir(data))) {
          assertThat(left.map(p -> p.getFileName().toString()).toList())
              .as("ops/files of node %d: no temporary or partial file", i).containsExactly("payload.bin");
        }
        try (Stream<Path> parts = Files.list(data.resolve("ops").resolve("assembly"))) {
          assertThat(parts.toList()).as("ops/assembly of node %d: no partial file", i).isEmpty();
        }
      }
    } finally {
      cli.shutdownNow(); // a push still running is ended by Kvstore.run's own timeout
    }
  }

  private static java.util.Set<String> opDirs(Path chunks) throws IOException {
    try (Stream<Path> ops = Files.list(chunks)) {
      return ops.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
    }
  }

  /**
   * Waits until the node holds at least {@code min} chunks of one transfer (not one of
   * {@code ignored}, the operation directories there before) and fewer than all.
   */
  private static int awaitSomeChunks(Path data, int min, int all, java.util.Set<String> ignored) throws Exception {
    Path chunks = data.resolve("ops").resolve("chunks");
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      int held = chunksHeld(chunks, ignored);
      assertThat(held).as("the node to kill already holds every chunk: push more bytes").isLessThan(all);
      if (held >= min) {
        return held;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("node never held " + min + " chunks in " + WAIT);
  }

  private static int chunksHeld(Path chunks, java.util.Set<String> ignored) throws IOException {
    if (!Files.isDirectory(chunks)) {
      return 0;
    }
    int most = 0;
    try (Stream<Path> ops = Files.list(chunks)) {
      for (Path op : ops.toList()) {
        if (ignored.contains(op.getFileName().toString())) {
          continue;
        }
        try (Stream<Path> files = Files.list(op)) {
          // whole chunks are named by their index; "list" and "*.part" are not chunks
          most = Math.max(most, (int) files.filter(f -> f.getFileName().toString().matches("\\d+")).count());
        } catch (java.nio.file.NoSuchFileException gone) {
          // deleted meanwhile
        }
      }
    }
    return most;
  }

  private static int chunkCount() {
    return (int) Math.ceil(SIZE / (double) (1 << 20));
  }

  private static Path filesDir(Path data) {
    return data.resolve("ops").resolve("files");
  }

  /** Waits until the node's file hashes to {@code expected} (an older push of the name may be there). */
  private static void assertArrives(Path data, String expected) throws Exception {
    Path target = filesDir(data).resolve("payload.bin");
    awaitExists(target); // the rename is atomic: present means whole
    long deadline = System.nanoTime() + WAIT.toNanos();
    String held = PushedFiles.sha256(target);
    while (!held.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(500);
      held = PushedFiles.sha256(target);
    }
    assertThat(held).as(target.toString()).isEqualTo(expected);
  }

  private static void awaitExists(Path p) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!Files.exists(p) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(p).as("within %s", WAIT).exists();
  }


}
