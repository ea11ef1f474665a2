package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node under the reflection probe: 10,000 GETs of a 15,000-byte value in 2 s
 * from one source. Its replies stay within 50 times the request bytes (most excess answered
 * 0x03), another source is served at once, a source outside the allow-list gets nothing, an
 * oversized datagram is counted and served like its first 16 KiB, and nothing stored changes.
 */
class AmplificationIT {
  private static final int LARGE = 15_000;
  private static final int GETS = 10_000;
  private static final InetAddress ATTACKER = address("127.0.0.1");
  private static final InetAddress CLIENT = address("127.0.0.2");
  private static final InetAddress STRANGER = address("127.0.0.3");

  @TempDir Path dir;

  private static InetAddress address(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aSpoofedVictimGetsAtMostFiftyTimesItsBytesAndEveryoneElseIsUnaffected() throws Exception {
    int httpPort = NodeProcess.freePort();
    try (NodeProcess node =
            NodeProcess.start(
                dir, "--memory", "--allow-clients", "127.0.0.1/32", "--allow-clients", "127.0.0.2",
                "--http-port", Integer.toString(httpPort));
        RawUdp victim = new RawUdp(node.port, 1_000, ATTACKER);
        RawUdp client = new RawUdp(node.port, 1_000, CLIENT);
        RawUdp stranger = new RawUdp(node.port, 1_000, STRANGER)) {
      byte[] large = new byte[LARGE];
      new Random(3).nextBytes(large);
      byte[] key = RawUdp.key("large");
      assertThat(client.code(RawUdp.request(RawUdp.newId(), 0x01, key, large))).isZero();
      for (int i = 0; i < 20; i++) {
        assertThat(client.code(RawUdp.put("sentinel-" + i, "value-" + i))).isZero();
      }

      Probe probe = reflect(victim, key);
      System.out.printf(
          "reflection probe: %d GETs, %d request bytes -> %d replies, %d bytes (%.1fx): %d values, %d 0x03%n",
          GETS, probe.requestBytes, probe.replies, probe.replyBytes,
          (double) probe.replyBytes / probe.requestBytes, probe.values, probe.overloads);
      assertThat(probe.values).as("the burst is served").isPositive();
      assertThat(probe.replyBytes)
          .as("reply bytes %d for %d request bytes", probe.replyBytes, probe.requestBytes)
          .isLessThanOrEqualTo(50 * probe.requestBytes);
      long excess = probe.replies - probe.values;
      assertThat(probe.overloads).as("excess answered 0x03").isGreaterThan(excess * 9 / 10);
      assertThat(probe.overloads).isGreaterThan(GETS / 2);

      // Another source right after: its first try is answered with the whole value.
      long started = System.nanoTime();
      byte[] reply = exchange(client, RawUdp.request(RawUdp.newId(), 0x02, key, null));
      assertThat(reply).as("normal client answered on its first try").isNotNull();
      assertThat(reply[16]).isZero();
      assertThat(Arrays.copyOfRange(reply, 19, reply.length)).isEqualTo(large);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

      // A source outside the allow-list: nothing at all, not even an error.
      stranger.send(RawUdp.request(RawUdp.newId(), 0x02, key, null));
      stranger.send(RawUdp.request(RawUdp.newId(), 0x06, null, null));
      assertThat(stranger.receiveOrNull()).isNull();

      // Oversized datagrams: a GET and a PUT padded to 20,000 bytes act as their first 16 KiB.
      byte[] paddedGet = Arrays.copyOf(RawUdp.request(RawUdp.newId(), 0x02, key, null), 20_000);
      byte[] got = client.request(paddedGet);
      assertThat(Arrays.copyOfRange(got, 19, got.length)).isEqualTo(large);
      byte[] paddedPut =
          Arrays.copyOf(
              RawUdp.request(RawUdp.newId(), 0x01, RawUdp.key("padded"), "kept".getBytes()), 20_000);
      assertThat(client.code(paddedPut)).isZero();
      assertThat(client.value("padded")).isEqualTo("kept");

      // Nothing stored was lost or changed.
      for (int i = 0; i < 20; i++) {
        assertThat(client.value("sentinel-" + i)).isEqualTo("value-" + i);
      }
      byte[] again = client.request(RawUdp.request(RawUdp.newId(), 0x02, key, null));
      assertThat(Arrays.copyOfRange(again, 19, again.length)).isEqualTo(large);

      // The node says what it did: throttled replies, refused datagrams, oversized datagrams.
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                Map<String, Double> m = NodeMetrics.scrape(httpPort);
                // A 0x03 is a spent reply budget, or (on a loaded machine) a request that
                // waited too long in the queue: the node counts each.
                assertThat(m.getOrDefault("kvstore_requests_throttled", 0.0)
                        + m.getOrDefault("kvstore_requests_overloaded", 0.0))
                    .isGreaterThanOrEqualTo(probe.overloads * 0.9);
                assertThat(m.getOrDefault("kvstore_datagrams_refused", 0.0)).isGreaterThanOrEqualTo(2);
                assertThat(m.getOrDefault("kvstore_datagrams_oversized", 0.0)).isGreaterThanOrEqualTo(2);
                // The node's own count of reply bytes agrees: nothing was lost on the way.
                assertThat(m.get("kvstore_replies_bytes"))
                    .isGreaterThanOrEqualTo((double) probe.replyBytes)
                    .isLessThanOrEqualTo(50.0 * probe.requestBytes + 200_000);
              });
      assertThat(node.logText()).contains("oversized datagram").contains("not in allow-clients");
    }
  }

  /** What the reflected victim received. */
  private record Probe(long requestBytes, long replyBytes, long replies, long values, long overloads) {}

  /** Sends GETS requests for {@code key} evenly over 2 s and counts what comes back. */
  private Probe reflect(RawUdp victim, byte[] key) throws Exception {
    victim.socket.setReceiveBufferSize(4 << 20); // hold every reply even if this JVM is slow
    victim.socket.setSoTimeout(1_500);
    AtomicLong replyBytes = new AtomicLong();
    AtomicLong replies = new AtomicLong();
    AtomicLong values = new AtomicLong();
    AtomicLong overloads = new AtomicLong();
    Thread receiver =
        new Thread(
            () -> {
              byte[] buf = new byte[65_536];
              DatagramPacket p = new DatagramPacket(buf, buf.length);
              while (true) {
                try {
                  p.setLength(buf.length);
                  victim.socket.receive(p);
                } catch (SocketTimeoutException e) {
                  return; // 1.5 s of silence after the last request: done
                } catch (java.io.IOException e) {
                  return;
                }
                replyBytes.addAndGet(p.getLength());
                replies.incrementAndGet();
                if (buf[16] == 0 && p.getLength() == 19 + LARGE) {
                  values.incrementAndGet();
                } else if (buf[16] == 0x03) {
                  overloads.incrementAndGet();
                }
              }
            },
            "victim-receiver");
    receiver.start();
    long requestBytes = 0;
    long start = System.nanoTime();
    long spacing = Duration.ofSeconds(2).toNanos() / GETS;
    for (int i = 0; i < GETS; i++) {
      byte[] get = RawUdp.request(RawUdp.newId(), 0x02, key, null);
      long due = start + i * spacing;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      victim.send(get);
      requestBytes += get.length;
    }
    receiver.join(30_000);
    assertThat(receiver.isAlive()).isFalse();
    return new Probe(requestBytes, replyBytes.get(), replies.get(), values.get(), overloads.get());
  }

  /** One try: send and wait up to the socket timeout for the reply with the same id. */
  private static byte[] exchange(RawUdp udp, byte[] datagram) throws Exception {
    udp.send(datagram);
    byte[] reply;
    while ((reply = udp.receiveOrNull()) != null) {
      if (Arrays.equals(reply, 0, 16, datagram, 0, 16)) {
        return reply;
      }
    }
    return null;
  }
}
