package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload answers 0x03, never silence (issue 8): a bounded burst of 200,000 requests in about
 * 1.2 s from four sockets against a default node. The excess must be answered 0x03 before it is
 * executed; what the node itself leaves unanswered (after subtracting what the kernel dropped on
 * either side, which the node never saw) must stay within 0.1%; full service must return within
 * 1 s after the burst; and nothing stored may be lost or changed.
 */
class OverloadIT {
  private static final int SOCKETS = 4;
  private static final int PER_SOCKET = 50_000;
  private static final double RATE = 170_000; // requests per second, all sockets together
  private static final int SENTINELS = 100;

  @TempDir Path dir;

  @Test
  void aBurstBeyondCapacityIsAnsweredOverloadAndServiceRecoversAtOnce() throws Exception {
    try (NodeProcess node = NodeProcess.start(dir, "--data-dir", dir.resolve("d").toString());
        RawUdp udp = new RawUdp(node.port, 300)) {
      byte[][] sentinels = new byte[SENTINELS][];
      for (int i = 0; i < SENTINELS; i++) {
        sentinels[i] = RawUdp.key("sentinel-" + i);
        assertThat(udp.code(RawUdp.request(RawUdp.newId(), 0x01, sentinels[i], sentinel(i)))).isZero();
      }
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), node.port);
      UdpBurst burst = new UdpBurst(address, SOCKETS, PER_SOCKET, sentinels);
      int[] clientPorts = burst.localPorts();
      long nodeDropsBefore = UdpBurst.kernelDrops(node.port);
      long clientDropsBefore = UdpBurst.kernelDrops(clientPorts);
      long backlogBefore = UdpBurst.backlogDrops();
      long started = System.nanoTime();
      Thread[] threads = burst.start(RATE, 3_000);
      burst.awaitSent();
      double burstSeconds = (burst.sendingEndedNanos - started) / 1e9;

      long recoveredMillis = millisUntilFullService(udp, sentinels, burst.sendingEndedNanos);

      for (Thread t : threads) {
        t.join(30_000);
      }
      long nodeDrops = UdpBurst.kernelDrops(node.port) - nodeDropsBefore;
      long clientDrops = UdpBurst.kernelDrops(clientPorts) - clientDropsBefore;
      long backlogDrops = UdpBurst.backlogDrops() - backlogBefore;
      burst.close();

      Map<String, Integer> codes = new TreeMap<>();
      int unanswered = 0;
      for (int s = 0; s < SOCKETS; s++) {
        for (int seq = 0; seq < PER_SOCKET; seq++) {
          byte code = burst.codes[s][seq];
          if (code == UdpBurst.UNANSWERED) {
            unanswered++;
          } else {
            codes.merge((UdpBurst.isPut(seq) ? "PUT " : "GET ") + String.format("0x%02x", code), 1, Integer::sum);
          }
        }
      }
      int total = SOCKETS * PER_SOCKET;
      long kernelDrops = Math.max(0, nodeDrops) + Math.max(0, clientDrops) + Math.max(0, backlogDrops);
      long nodeSide = Math.max(0, unanswered - kernelDrops);
      System.out.printf(
          "overload burst: %d requests in %.2f s; replies %s; unanswered %d (%.3f%%): kernel drops"
              + " node socket %d, client sockets %d, input backlog %d; node-side unanswered %d"
              + " (%.3f%%); full service %d ms after the burst%n",
          total, burstSeconds, codes, unanswered, 100.0 * unanswered / total, nodeDrops,
          clientDrops, backlogDrops, nodeSide, 100.0 * nodeSide / total, recoveredMillis);

      assertThat(codes.keySet()).as("only success and overload").allMatch(k -> k.endsWith("0x00") || k.endsWith("0x03"));
      int successes = codes.getOrDefault("PUT 0x00", 0) + codes.getOrDefault("GET 0x00", 0);
      if (successes < total) {
        assertThat(codes.getOrDefault("PUT 0x03", 0) + codes.getOrDefault("GET 0x03", 0))
            .as("the node fell behind: the excess is answered 0x03").isPositive();
      }
      assertThat(nodeSide).as("requests the node saw but left unanswered").isLessThanOrEqualTo(total / 1000);
      assertThat(recoveredMillis).as("full service after the burst").isLessThanOrEqualTo(1_000);

      // Nothing stored lost or changed: sentinels intact, acknowledged PUTs readable, shed PUTs absent.
      for (int i = 0; i < SENTINELS; i++) {
        assertThat(valueOf(udp, sentinels[i])).isEqualTo(sentinel(i));
      }
      int checkedOk = 0;
      int checkedShed = 0;
      for (int s = 0; s < SOCKETS; s++) {
        for (int seq = 0; seq < PER_SOCKET; seq += 2) {
          byte code = burst.codes[s][seq];
          if (code == 0x00 && checkedOk < 300 && seq % 7 == 0) {
            assertThat(valueOf(udp, UdpBurst.putKey(s, seq))).isEqualTo(UdpBurst.value(s, seq));
            checkedOk++;
          } else if (code == 0x03 && checkedShed < 300 && seq % 5 == 0) {
            assertThat(valueOf(udp, UdpBurst.putKey(s, seq))).as("a shed PUT was not executed").isNull();
            checkedShed++;
          }
        }
      }
      assertThat(checkedOk).isPositive();
    }
  }

  private static byte[] sentinel(int i) {
    return ("sentinel-value-" + i).getBytes(StandardCharsets.UTF_8);
  }

  /** Time from the end of the burst until 100 GETs in a row are all answered 0x00. */
  private static long millisUntilFullService(RawUdp udp, byte[][] sentinels, long burstEnded)
      throws Exception {
    int inARow = 0;
    long firstOfRow = 0;
    for (int i = 0; inARow < 100; i++) {
      long sentAt = System.nanoTime();
      byte[] request = RawUdp.request(RawUdp.newId(), 0x02, sentinels[i % sentinels.length], null);
      udp.send(request);
      byte[] reply;
      do {
        reply = udp.receiveOrNull();
      } while (reply != null && !Arrays.equals(reply, 0, 16, request, 0, 16));
      if (reply != null && reply[16] == 0) {
        if (inARow++ == 0) {
          firstOfRow = sentAt;
        }
      } else {
        inARow = 0;
      }
      if (System.nanoTime() - burstEnded > 20_000_000_000L) {
        throw new AssertionError("no full service 20 s after the burst");
      }
    }
    return Math.max(0, (firstOfRow - burstEnded) / 1_000_000);
  }

  private static byte[] valueOf(RawUdp udp, byte[] key) throws Exception {
    byte[] reply = udp.request(RawUdp.request(RawUdp.newId(), 0x02, key, null));
    if (reply[16] == 0x01) {
      return null;
    }
    assertThat(reply[16]).isZero();
    int len = (reply[17] & 0xFF) | (reply[18] & 0xFF) << 8;
    return Arrays.copyOfRange(reply, 19, 19 + len);
  }
}
