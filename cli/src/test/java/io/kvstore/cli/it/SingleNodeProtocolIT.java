package io.kvstore.cli.it;

import static io.kvstore.cli.it.RawUdp.get;
import static io.kvstore.cli.it.RawUdp.key;
import static io.kvstore.cli.it.RawUdp.newId;
import static io.kvstore.cli.it.RawUdp.put;
import static io.kvstore.cli.it.RawUdp.remove;
import static io.kvstore.cli.it.RawUdp.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The wire protocol against one real node process (RocksDB storage) over UDP. */
class SingleNodeProtocolIT {
  @TempDir static Path dir;
  static NodeProcess node;
  static RawUdp udp;

  @BeforeAll
  static void startNode() throws Exception {
    node = NodeProcess.start(dir, "--data-dir", dir.resolve("data").toString());
    udp = new RawUdp(node.port, 300);
  }

  @AfterAll
  static void stopNode() throws Exception {
    udp.close();
    node.close();
  }

  @Test
  void classicScenario() throws Exception {
    assertThat(udp.code(get("classic-X"))).isEqualTo(0x01);
    assertThat(udp.code(put("classic-X", "hello"))).isEqualTo(0x00);
    assertThat(udp.value("classic-X")).isEqualTo("hello");
    assertThat(udp.code(get("classic-missing"))).isEqualTo(0x01);
    assertThat(udp.code(put("classic-X", "world"))).isEqualTo(0x00);
    assertThat(udp.value("classic-X")).isEqualTo("world");
    assertThat(udp.code(remove("classic-missing"))).isEqualTo(0x01);
    assertThat(udp.code(remove("classic-X"))).isEqualTo(0x00);
    assertThat(udp.code(remove("classic-X"))).isEqualTo(0x01);
  }

  @Test
  void retransmittedPutIsNotExecutedAgain() throws Exception {
    byte[] first = put("rt-put", "first");
    assertThat(udp.code(first)).isZero();
    assertThat(udp.code(put("rt-put", "second"))).isZero();
    // The same bytes again: answered from the cache, so "first" does not overwrite "second".
    assertThat(udp.code(first)).isZero();
    assertThat(udp.value("rt-put")).isEqualTo("second");
  }

  @Test
  void retriedRemoveReturnsItsFirstAnswer() throws Exception {
    assertThat(udp.code(put("rt-remove", "v"))).isZero();
    byte[] removal = remove("rt-remove");
    assertThat(udp.code(removal)).isEqualTo(0x00);
    assertThat(udp.code(removal)).as("retransmission, not 'non-existent key'").isEqualTo(0x00);
    assertThat(udp.code(remove("rt-remove"))).as("a new REMOVE").isEqualTo(0x01);
  }

  @Test
  void retransmittedGetReturnsTheCachedValue() throws Exception {
    assertThat(udp.code(put("rt-get", "old"))).isZero();
    byte[] read = get("rt-get");
    assertThat(udp.request(read)[16]).isZero();
    assertThat(udp.code(put("rt-get", "new"))).isZero();
    byte[] again = udp.request(read);
    assertThat(new String(again, 19, 3, StandardCharsets.UTF_8)).isEqualTo("old");
  }

  @Test
  void reusedIdWithADifferentRequestIsExecutedAsNew() throws Exception {
    byte[] id = newId();
    assertThat(udp.code(request(id, 0x01, key("reuse"), "a".getBytes()))).isZero();
    assertThat(udp.code(request(id, 0x01, key("reuse"), "b".getBytes()))).isZero();
    assertThat(udp.value("reuse")).isEqualTo("b");
    assertThat(udp.code(request(id, 0x03, key("reuse"), null))).isZero();
    assertThat(udp.value("reuse")).isNull();
  }

  @Test
  void paddedPutStoresOnlyTheDeclaredValue() throws Exception {
    byte[] plain = put("padded", "hello");
    byte[] padded = Arrays.copyOf(plain, plain.length + 27); // zero-padded like a course client
    assertThat(udp.code(padded)).isZero();
    assertThat(udp.value("padded")).isEqualTo("hello");
    byte[] paddedGet = Arrays.copyOf(get("padded"), 64);
    byte[] reply = udp.request(paddedGet);
    assertThat(reply).hasSize(16 + 1 + 2 + 5);
  }

  @Test
  void largestValueRoundTrips() throws Exception {
    byte[] value = new byte[15_000];
    Arrays.fill(value, (byte) 'z');
    assertThat(udp.code(request(newId(), 0x01, key("big"), value))).isZero();
    byte[] reply = udp.request(get("big"));
    assertThat(reply).hasSize(19 + 15_000);
    assertThat(Arrays.copyOfRange(reply, 19, reply.length)).isEqualTo(value);
  }

  static Stream<Arguments> malformed() {
    byte[] id = newId();
    byte[] k = key("victim");
    ByteBuffer longer = ByteBuffer.allocate(51 + 15_001).order(ByteOrder.LITTLE_ENDIAN);
    longer.put(id).put((byte) 1).put(k).putShort((short) 15_001);
    return Stream.of(
        Arguments.of("empty payload (id only)", Arrays.copyOf(id, 16), 0x09),
        Arguments.of("unknown command 0x09", request(id, 0x09, k, null), 0x05),
        Arguments.of("command 0x00", request(id, 0x00, k, null), 0x05),
        Arguments.of("short key on GET", Arrays.copyOf(request(id, 0x02, k, null), 40), 0x06),
        Arguments.of("short key on PUT", Arrays.copyOf(request(id, 0x01, k, null), 30), 0x06),
        Arguments.of("short key on REMOVE", Arrays.copyOf(request(id, 0x03, k, null), 48), 0x06),
        Arguments.of("PUT without length", Arrays.copyOf(request(id, 0x01, k, null), 50), 0x07),
        Arguments.of(
            "length larger than the data",
            Arrays.copyOf(request(id, 0x01, k, "evil!".getBytes()), 51 + 3),
            0x07),
        Arguments.of("length over 15,000", longer.array(), 0x07));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("malformed")
  void malformedInputGetsItsCodeAndChangesNothing(String name, byte[] datagram, int code)
      throws Exception {
    assertThat(udp.code(put("victim", "intact"))).isZero();
    assertThat(udp.code(datagram)).isEqualTo(code);
    assertThat(udp.value("victim")).isEqualTo("intact");
    assertThat(udp.code(request(newId(), 0x06, null, null))).as("still alive").isZero();
  }

  @Test
  void datagramShorterThanAnIdGetsNoReplyAndTheNodeKeepsServing() throws Exception {
    udp.send(new byte[] {1, 2, 3});
    assertThat(udp.receiveOrNull()).isNull();
    assertThat(udp.code(request(newId(), 0x06, null, null))).isZero();
  }

  @Test
  void pidAndMembershipCount() throws Exception {
    byte[] pid = udp.request(request(newId(), 0x07, null, null));
    assertThat(pid).hasSize(21);
    int value = ByteBuffer.wrap(pid, 17, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    assertThat((long) value).isEqualTo(node.pid());
    byte[] count = udp.request(request(newId(), 0x08, null, null));
    assertThat(ByteBuffer.wrap(count, 17, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(1);
  }
}
