package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.security.FrameAuthenticator;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node and a real status server process under forged and flooded reports: reports without
 * the cluster secret and reports for nodes outside the membership are refused and counted, a
 * flood of 25,000 leaves the server (in a 64 MB heap) serving and within its memory budget, the
 * real node's figures stay its own, and the server still stops on SIGTERM with exit code 0.
 */
class StatusServerHostileIT {
  private static final String SECRET = "status-server-hostile-it-0123456789abcdef";
  private static final int FLOOD = 25_000;
  /** Datagrams sent before waiting for the server to count them: well within a receive buffer. */
  private static final int PACE = 500;

  @TempDir Path dir;
  private NodeProcess node;
  private Process monitor;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @AfterEach
  void stop() throws Exception {
    if (monitor != null && monitor.isAlive()) {
      monitor.destroyForcibly();
      monitor.waitFor(10, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
  }

  private JsonNode get(int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return json.readTree(r.body());
  }

  private static StatusReport forged(String id, InetSocketAddress address, long round, double keys) {
    return new StatusReport(id, address, round, 0, Map.of(),
        List.of(Stat.gauge("keys", "keys", keys), Stat.gauge("requests.rate", "ops/s", 1e9)));
  }

  /** Waits until the server counted exactly these refusals since {@code before}. */
  private void awaitRefused(int httpPort, JsonNode before, int unauthenticated, int notMembers) {
    await("every forged report sent so far counted as refused")
        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .untilAsserted(() -> {
          JsonNode after = get(httpPort, "/api/intake");
          assertThat(after.get("unauthenticated").asLong() - before.get("unauthenticated").asLong())
              .isEqualTo(unauthenticated);
          assertThat(after.get("notMember").asLong() - before.get("notMember").asLong())
              .isEqualTo(notMembers);
        });
  }

  @Test
  void forgedAndFloodedReportsAreRefusedCountedAndChangeNothing() throws Exception {
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, "cluster-secret: " + SECRET + "\n");
    node = NodeProcess.start(dir, "--memory", "--config", config.toString());
    try (RawUdp client = new RawUdp(node.port, 500)) {
      for (int i = 0; i < 3; i++) {
        assertThat(client.code(RawUdp.put("k" + i, "v" + i))).isZero();
      }
    }
    int httpPort = NodeProcess.freePort();
    int udpPort = NodeProcess.freePort();
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-jar", NodeProcess.jar().toString(), "monitor",
                "--join", "127.0.0.1:" + node.port,
                "--http-port", Integer.toString(httpPort),
                "--udp-bind", "127.0.0.1:" + udpPort,
                "--interval", "1s")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("monitor.log").toFile());
    builder.environment().put("KVSTORE_CLUSTER_SECRET", SECRET);
    monitor = builder.start();

    await("the real node up in /api/nodes with its 3 keys")
        .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .untilAsserted(() -> {
          JsonNode nodes = get(httpPort, "/api/nodes");
          assertThat(nodes).hasSize(1);
          assertThat(nodes.get(0).get("state").asText()).isEqualTo("up");
          assertThat(nodes.get(0).at("/stats/keys/value").asDouble()).isEqualTo(3);
        });
    JsonNode real = get(httpPort, "/api/nodes").get(0);
    String realId = real.get("id").asText();
    long realRound = real.get("lastRound").asLong(); // the wire id, or 0 if shown as null
    InetSocketAddress realAddress = new InetSocketAddress("127.0.0.1", node.port);
    JsonNode before = get(httpPort, "/api/intake");

    FrameAuthenticator right = FrameAuthenticator.withSecret(SECRET);
    FrameAuthenticator wrong = FrameAuthenticator.withSecret("not-the-cluster-secret-0123456789");
    InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort);
    int unauthenticated = 0;
    int notMembers = 0;
    long sentBytes = 0;
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSendBufferSize(1 << 20);
      for (int i = 0; i < FLOOD; i++) {
        byte[] datagram;
        if (i % 5 == 4) {
          // A holder of the secret gone wrong: an invented node. Refused: not a member.
          datagram = right.seal(StatusCodec.encodeReport(RawUdp.newId(),
              forged("invented-" + i, new InetSocketAddress("127.0.0.1", 20_000 + i % 1_000), realRound, 1)));
          notMembers++;
        } else {
          // No secret: the real node's key count "overwritten", or an invented node "up".
          StatusReport report = i % 2 == 0
              ? forged(realId, realAddress, realRound, 999_999)
              : forged("invented-" + i, realAddress, realRound, 1);
          byte[] frame = StatusCodec.encodeReport(RawUdp.newId(), report);
          datagram = i % 3 == 0 ? wrong.seal(frame) : frame;
          unauthenticated++;
        }
        sentBytes += datagram.length;
        socket.send(new DatagramPacket(datagram, datagram.length, to));
        if (i % PACE == PACE - 1) {
          // Exact counts need every datagram to reach the server, so wait for it to count this
          // batch before the next: a loaded machine would otherwise overflow the receive buffer
          // and the kernel, not the server, would drop reports (a fixed sleep was not enough).
          awaitRefused(httpPort, before, unauthenticated, notMembers);
        }
      }
    }
    System.out.printf("sent %,d forged reports (%,d bytes): %,d unauthenticated, %,d for invented nodes%n",
        FLOOD, sentBytes, unauthenticated, notMembers);

    awaitRefused(httpPort, before, unauthenticated, notMembers);

    JsonNode intake = get(httpPort, "/api/intake");
    System.out.println("intake after the flood: " + intake);
    assertThat(intake.get("retainedBytes").asLong()).isLessThanOrEqualTo(intake.get("memoryBudgetBytes").asLong());
    assertThat(intake.get("memoryBudgetBytes").asLong()).isLessThan(64L << 20);
    // Nothing forged is shown: one node, the real one, with its real figures, still reporting.
    String seenAfterFlood = get(httpPort, "/api/nodes").get(0).get("lastSeen").asText();
    await("the real node reports again after the flood")
        .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
        .until(() -> !get(httpPort, "/api/nodes").get(0).get("lastSeen").asText().equals(seenAfterFlood));
    JsonNode nodes = get(httpPort, "/api/nodes");
    assertThat(nodes).hasSize(1);
    assertThat(nodes.get(0).get("id").asText()).isEqualTo(realId);
    assertThat(nodes.get(0).get("state").asText()).isEqualTo("up");
    assertThat(nodes.get(0).at("/stats/keys/value").asDouble()).isEqualTo(3);
    assertThat(nodes.get(0).at("/stats/requests.rate/value").asDouble()).isLessThan(1e6);
    assertThat(get(httpPort, "/api/cluster").get("totalKeys").asDouble()).isEqualTo(3);
    try (RawUdp client = new RawUdp(node.port, 500)) {
      for (int i = 0; i < 3; i++) {
        assertThat(client.value("k" + i)).isEqualTo("v" + i);
      }
    }
    assertThat(Files.readString(dir.resolve("monitor.log"))).doesNotContain("OutOfMemoryError");

    monitor.destroy(); // SIGTERM
    assertThat(monitor.waitFor(10, TimeUnit.SECONDS)).as("the status server stops on SIGTERM").isTrue();
    assertThat(monitor.exitValue()).isZero();
  }

  @Test
  void aRoundWithoutTheSecretMakesANodeSendNothingAndIsCounted() throws Exception {
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, "cluster-secret: " + SECRET + "\n");
    int metricsPort = NodeProcess.freePort();
    node = NodeProcess.start(dir, "--memory", "--config", config.toString(),
        "--http-port", Integer.toString(metricsPort));
    FrameAuthenticator right = FrameAuthenticator.withSecret(SECRET);
    FrameAuthenticator wrong = FrameAuthenticator.withSecret("not-the-cluster-secret-0123456789");
    InetSocketAddress nodeAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), node.port);
    try (DatagramSocket victim = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      victim.setSoTimeout(2_000);
      InetSocketAddress victimAddress = (InetSocketAddress) victim.getLocalSocketAddress();
      byte[] forged = StatusCodec.encodeRound(RawUdp.newId(),
          new StatusCodec.Round(11, victimAddress, 0, 16, 16));
      for (byte[] datagram : List.of(forged, wrong.seal(forged))) {
        victim.send(new DatagramPacket(datagram, datagram.length, nodeAddress));
      }
      byte[] buf = new byte[65_536];
      DatagramPacket received = new DatagramPacket(buf, buf.length);
      boolean anything;
      try {
        victim.receive(received);
        anything = true;
      } catch (java.net.SocketTimeoutException e) {
        anything = false;
      }
      assertThat(anything).as("a report sent to the address a forged ROUND named").isFalse();

      // The same ROUND with the secret is answered: the test above can fail.
      byte[] sealed = right.seal(StatusCodec.encodeRound(RawUdp.newId(),
          new StatusCodec.Round(12, victimAddress, 0, 16, 16)));
      victim.send(new DatagramPacket(sealed, sealed.length, nodeAddress));
      victim.receive(received);
      byte[] frame = right.open(java.nio.ByteBuffer.wrap(buf, 0, received.getLength()));
      assertThat(frame).as("the report is signed with the secret").isNotNull();
      StatusReport report = StatusCodec.decodeReport(java.nio.ByteBuffer.wrap(
          frame, io.kvstore.protocol.InternalFrame.HEADER, frame.length - io.kvstore.protocol.InternalFrame.HEADER));
      assertThat(report.round()).isEqualTo(12);
    }
    await("the node's own /metrics counts the two refused frames")
        .atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .untilAsserted(() -> {
          assertThat(NodeMetrics.scrape(metricsPort)).containsEntry("kvstore_internal_unauthenticated", 2.0);
        });
  }
}
