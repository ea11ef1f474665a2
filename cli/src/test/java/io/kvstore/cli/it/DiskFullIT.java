package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A really full disk: a 48 MB tmpfs filled to the last byte by another file. PUT must answer 0x02
 * (never 0x04), GET and REMOVE keep working, nothing stored is lost or changed, and the node
 * accepts PUT again by itself once the space is back.
 */
class DiskFullIT {
  @TempDir Path dir;
  private Path mount;
  private boolean mounted;
  private NodeProcess node;

  @BeforeEach
  void mountSmallDisk() throws Exception {
    mount = dir.resolve("disk");
    Files.createDirectories(mount);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString())
        .redirectErrorStream(true).start();
    boolean ok = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    String why = new String(p.getInputStream().readAllBytes());
    Assumptions.assumeTrue(ok,
        "assumes the test may mount a 48 MB tmpfs (root, as in CI); mount said: " + why);
    mounted = true;
  }

  @AfterEach
  void unmount() throws Exception {
    if (node != null) {
      node.close();
    }
    if (mounted) {
      new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** Fills the disk with one file until the kernel says no more. */
  private static long fill(Path file) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) {
        throw e;
      }
    }
    // top up the last partial blocks too
    try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
      for (int i = 0; i < 65_536; i++) {
        out.write(0);
        out.flush();
        written++;
      }
    } catch (IOException e) {
      // full to the byte
    }
    return written;
  }

  @Test
  void putAnswersOutOfSpaceGetAndRemoveKeepWorkingAndPutRecovers() throws Exception {
    Path data = mount.resolve("data");
    node = NodeProcess.start(dir, "--data-dir", data.toString(), "--min-free-disk", "2MB");
    assertThat(data.resolve("space-reserve")).exists();
    Map<String, String> stored = new HashMap<>();
    String value = "v".repeat(2_000);
    try (RawUdp udp = new RawUdp(node.port, 300)) {
      for (int i = 0; i < 500; i++) {
        String k = "key-" + i;
        assertThat(udp.code(RawUdp.put(k, value + i))).as("PUT %s", k).isZero();
        stored.put(k, value + i);
      }

      Path filler = mount.resolve("filler");
      long filled = fill(filler);
      System.out.printf("filled the disk with %d bytes; %d bytes usable left%n",
          filled, Files.getFileStore(mount).getUsableSpace());

      // PUT: out of space (0x02), also for keys that exist; never internal failure (0x04)
      // (a PUT that arrives before the node notices is still stored: it is acknowledged 0x00)
      int[] probe = {0};
      await("PUT answers 0x02 on the full disk").atMost(Duration.ofSeconds(5))
          .until(() -> {
            String k = "probe-" + probe[0]++;
            int code = udp.code(RawUdp.put(k, "x"));
            assertThat(code).as("PUT %s on the full disk", k).isIn(0x00, 0x02);
            if (code == 0x00) {
              stored.put(k, "x");
            }
            return code == 0x02;
          });
      for (int i = 0; i < 50; i++) {
        assertThat(udp.code(RawUdp.put("new-" + i, value))).as("PUT new-%d", i).isEqualTo(0x02);
        assertThat(udp.code(RawUdp.put("key-" + i, "changed"))).as("overwrite key-%d", i).isEqualTo(0x02);
      }
      // GET: everything as stored
      for (Map.Entry<String, String> e : stored.entrySet()) {
        assertThat(udp.value(e.getKey())).as("GET %s", e.getKey()).isEqualTo(e.getValue());
      }
      assertThat(udp.value("new-0")).isNull();
      // REMOVE: works (the tombstones fit), and the removed keys are gone
      for (int i = 0; i < 100; i++) {
        assertThat(udp.code(RawUdp.remove("key-" + i))).as("REMOVE key-%d", i).isZero();
        stored.remove("key-" + i);
        assertThat(udp.code(RawUdp.get("key-" + i))).isEqualTo(0x01);
      }

      // space comes back: PUT works again without a restart
      Files.delete(filler);
      await("PUT accepted again once the disk has room").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> udp.code(RawUdp.put("after-recovery", "back")) == 0);
      stored.put("after-recovery", "back");
      assertThat(data.resolve("space-reserve")).exists();
    }
    assertThat(node.logText()).contains("PUT answers 'out of space'").contains("PUT accepted again");

    // nothing stored was lost or changed, also across a restart
    assertThat(node.terminate()).isZero();
    node.launch();
    try (RawUdp udp = new RawUdp(node.port, 300)) {
      for (Map.Entry<String, String> e : stored.entrySet()) {
        assertThat(udp.value(e.getKey())).as("after restart: GET %s", e.getKey()).isEqualTo(e.getValue());
      }
      for (int i = 0; i < 100; i++) {
        assertThat(udp.value("key-" + i)).as("removed key-%d stays removed", i).isNull();
      }
    }
  }
}
