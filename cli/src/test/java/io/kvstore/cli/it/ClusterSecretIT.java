package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secure by default, with real node JVMs: a lone node creates its secret, joining needs it, a node
 * with another secret is rejected loudly (not silently left alone), and --insecure says so.
 */
class ClusterSecretIT {
  private static final Duration RUN = Duration.ofSeconds(30);
  @TempDir Path dir;
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (NodeProcess n : nodes) {
      n.close();
    }
  }

  private NodeProcess start(String... args) throws Exception {
    NodeProcess n = NodeProcess.start(dir, args);
    nodes.add(n);
    return n;
  }

  private Kvstore.Run members(NodeProcess n) throws Exception {
    return Kvstore.run(dir, RUN, "members", "--node", "127.0.0.1:" + n.port);
  }

  @Test
  void aLoneNodeCreatesItsSecretAndAnotherJoinsWithIt() throws Exception {
    Path data = dir.resolve("seed");
    NodeProcess seed = start("--data-dir", data.toString());
    Path secret = data.resolve("cluster-secret");
    assertThat(secret).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
    assertThat(Files.readString(secret).trim()).matches("[0-9a-f]{64}");
    String joinHint = "--join 127.0.0.1:" + seed.port + " --cluster-secret-file " + secret.toAbsolutePath();
    assertThat(seed.logText()).contains(joinHint);
    try (RawUdp udp = new RawUdp(seed.port, 300)) {
      assertThat(udp.code(RawUdp.put("kept", "v1"))).isZero();
    }

    NodeProcess joiner =
        start("--data-dir", dir.resolve("joiner").toString(), "--join", "127.0.0.1:" + seed.port,
            "--cluster-secret-file", secret.toString());
    await("the joiner is a member of the seed's view").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> members(seed).out().startsWith("2 live member(s)"));
    Kvstore.Run view = members(joiner);
    assertThat(view.out()).startsWith("2 live member(s)").doesNotContain("warning");
    assertThat(dir.resolve("joiner").resolve("cluster-secret")).doesNotExist();

    // a restart reuses the secret it created rather than making a new one
    String before = Files.readString(secret);
    seed.terminate();
    seed.launch();
    assertThat(Files.readString(secret)).isEqualTo(before);
    assertThat(seed.logText()).contains("cluster secret from " + secret.toAbsolutePath());
    try (RawUdp udp = new RawUdp(seed.port, 300)) {
      assertThat(udp.value("kept")).isEqualTo("v1");
    }
  }

  @Test
  void joiningWithoutTheSecretFailsClearlyWithExitTwo() throws Exception {
    NodeProcess seed = start("--memory");
    Kvstore.Run run =
        Kvstore.run(dir, RUN, "node", "--port", Integer.toString(NodeProcess.freePort()),
            "--data-dir", dir.resolve("lost").toString(), "--join", "127.0.0.1:" + seed.port);
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("needs the cluster's secret").contains("--cluster-secret-file")
        .contains("KVSTORE_CLUSTER_SECRET");
    assertThat(dir.resolve("lost").resolve("cluster-secret")).doesNotExist();
    assertThat(members(seed).out()).startsWith("1 live member(s)");
  }

  @Test
  void nodesWithDifferentSecretsAreToldApartFromAQuietNetworkWithinSeconds() throws Exception {
    Path other = dir.resolve("other-secret");
    Files.writeString(other, "a-different-secret-0123456789abcdef\n");
    NodeProcess a = start("--memory", "--cluster-secret-file", NodeProcess.secretFile(dir).toString());
    long started = System.nanoTime();
    NodeProcess b =
        start("--memory", "--cluster-secret-file", other.toString(), "--join", "127.0.0.1:" + a.port);
    await("the seed's members output warns of rejected frames").atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> members(a).out().contains("internal frames rejected (different cluster secret?)"));
    System.out.printf("mismatch shown by `members` %d ms after the joiner started%n",
        (System.nanoTime() - started) / 1_000_000);
    assertThat(a.logText()).contains("internal frame(s) from 127.0.0.1:" + b.port)
        .contains("wrong or missing cluster secret?");
    assertThat(members(a).out()).startsWith("1 live member(s)");
    assertThat(members(b).out()).startsWith("1 live member(s)");
    // rejected frames are logged once per 10 s per source, not once per frame
    long lines = a.logText().lines().filter(l -> l.contains("wrong or missing cluster secret?")).count();
    assertThat(lines).isLessThanOrEqualTo(2);
  }

  @Test
  void insecureIsLoudAndVisibleInMembers() throws Exception {
    NodeProcess n = start("--memory", "--insecure");
    assertThat(n.logText()).contains("INSECURE: started with --insecure");
    assertThat(members(n).out()).contains("warning: this node runs --insecure");
    NodeProcess secure = start("--memory");
    assertThat(members(secure).out()).doesNotContain("warning");
    assertThat(secure.logText()).contains("random one known to this process only");
  }
}
