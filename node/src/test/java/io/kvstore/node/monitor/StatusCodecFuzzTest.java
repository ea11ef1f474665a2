package io.kvstore.node.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kvstore.node.cluster.MalformedMessageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the status decoders (collection ROUND and node REPORT) with forged bodies: each either
 * returns a value inside the codec's declared limits or throws {@link MalformedMessageException};
 * anything else escapes as a failure. An even first byte picks ROUND, an odd one REPORT. CI runs
 * the seeds in {@code src/test/resources/io/kvstore/node/monitor/StatusCodecFuzzTestInputs}.
 */
class StatusCodecFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void decodesWithinLimitsOrRejects(byte[] data) {
    if (data.length == 0) {
      return;
    }
    ByteBuffer body = ByteBuffer.wrap(data, 1, data.length - 1).slice();
    try {
      if ((data[0] & 1) == 0) {
        checkRound(StatusCodec.decodeRound(body));
      } else {
        checkReport(StatusCodec.decodeReport(body), data.length - 1);
      }
    } catch (MalformedMessageException expected) {
      // the one declared failure
    }
  }

  private static void checkRound(StatusCodec.Round r) {
    assertThat(r.monitor()).isNotNull();
    assertThat(r.spreadWindowMillis()).isBetween(0, 3_600_000);
    assertThat(r.fanout()).isBetween(0, 255);
    assertThat(r.hopsLeft()).isBetween(0, 255);
  }

  private static void checkReport(StatusReport r, int bodyBytes) {
    assertThat(bodyBytes).isLessThanOrEqualTo(StatusCodec.MAX_REPORT_BYTES);
    assertThat(r.nodeId()).isNotEmpty();
    assertThat(r.address()).isNotNull();
    assertThat(r.labels()).hasSizeLessThanOrEqualTo(StatusCodec.MAX_LABELS);
    assertThat(r.stats()).hasSizeLessThanOrEqualTo(StatusCodec.MAX_STATS);
    for (Stat s : r.stats()) {
      assertThat(s.name()).isNotEmpty();
      assertThat(s.unit()).isNotNull();
      assertThat(s.kind()).isNotNull();
      assertThat(s.text() != null).isEqualTo(s.kind() == Stat.Kind.TEXT);
    }
    // Decoded strings never hold more characters than the body had bytes.
    long chars = r.nodeId().length();
    for (var e : r.labels().entrySet()) {
      chars += e.getKey().length() + e.getValue().length();
    }
    assertThat(chars).isLessThanOrEqualTo(bodyBytes);
    assertThat(r.nodeId().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(3 * 1024);
  }
}
