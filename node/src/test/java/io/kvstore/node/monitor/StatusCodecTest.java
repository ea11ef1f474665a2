package io.kvstore.node.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.cluster.MalformedMessageException;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusCodecTest {
  private static final byte[] ID = new byte[16];
  private static final InetSocketAddress NODE = new InetSocketAddress("127.0.0.1", 4000);

  private static ByteBuffer body(byte[] frame) {
    return ByteBuffer.wrap(frame, InternalFrame.HEADER, frame.length - InternalFrame.HEADER);
  }

  private static StatusReport report(List<Stat> stats) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("rack", "r1");
    labels.put("role", "storage");
    return new StatusReport("node-1", NODE, 42L, 1_700_000_000_000L, labels, stats);
  }

  @Test
  void reportsRoundTripWithEveryKindOfStat() {
    StatusReport r =
        report(List.of(
            Stat.gauge("keys", "keys", 12345),
            Stat.counter("requests.retransmissions", "requests", 7),
            Stat.gauge("load.1m", "", 1.25),
            Stat.text("version", "0.1.0 (ünïcode)")));
    byte[] frame = StatusCodec.encodeReport(ID, r);
    assertThat(frame[InternalFrame.TYPE_OFFSET]).isEqualTo((byte) StatusCodec.REPORT);
    assertThat(StatusCodec.decodeReport(body(frame))).isEqualTo(r);
  }

  @Test
  void roundsRoundTrip() {
    StatusCodec.Round round = new StatusCodec.Round(-5L, new InetSocketAddress("::1", 9999), 5000, 2, 16);
    byte[] frame = StatusCodec.encodeRound(ID, round);
    assertThat(StatusCodec.decodeRound(body(frame))).isEqualTo(round);
  }

  @Test
  void aReportNeverExceedsTheSizeLimitStatsThatDoNotFitAreLeftOut() {
    List<Stat> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(Stat.gauge("a.rather.long.statistic.name.number." + i, "units", i));
    }
    byte[] frame = StatusCodec.encodeReport(ID, report(many));
    assertThat(frame.length).isLessThanOrEqualTo(StatusCodec.MAX_REPORT_BYTES);
    StatusReport decoded = StatusCodec.decodeReport(body(frame));
    assertThat(decoded.stats()).isNotEmpty().hasSizeLessThanOrEqualTo(StatusCodec.MAX_STATS);
  }

  @Test
  void everyTruncationIsRejectedCleanly() {
    byte[] frame = StatusCodec.encodeReport(ID, report(List.of(Stat.gauge("keys", "keys", 1), Stat.text("v", "x"))));
    for (int len = InternalFrame.HEADER; len < frame.length; len++) {
      byte[] cut = Arrays.copyOf(frame, len);
      assertThatThrownBy(() -> StatusCodec.decodeReport(body(cut)))
          .as("truncated to %d bytes", len)
          .isInstanceOf(MalformedMessageException.class);
    }
  }

  @Test
  void implausibleCountsAndLengthsAreRejectedWithoutAllocating() {
    ByteBuffer b = ByteBuffer.allocate(64);
    b.putLong(1).putLong(2).putShort((short) 60_000); // a node id "60,000 bytes long"
    b.flip();
    assertThatThrownBy(() -> StatusCodec.decodeReport(b)).isInstanceOf(MalformedMessageException.class);
    assertThatThrownBy(() -> StatusCodec.decodeReport(ByteBuffer.allocate(StatusCodec.MAX_REPORT_BYTES + 1)))
        .hasMessageContaining("too large");
  }
}
