package io.kvstore.statusserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.security.FrameAuthenticator;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReportIntakeTest {
  private static final String SECRET = "0123456789abcdef-intake-test";
  private final FrameAuthenticator auth = FrameAuthenticator.withSecret(SECRET);

  private static byte[] frame(String id) {
    return StatusCodec.encodeReport(new byte[16], Reports.report(id, 1));
  }

  @Test
  void refusesReportsWithoutTheRightTagBeforeDecodingThem() {
    List<StatusReport> applied = new CopyOnWriteArrayList<>();
    try (ReportIntake intake =
        new ReportIntake(auth, 100, 1 << 20, r -> { applied.add(r); return ReportOutcome.ACCEPTED; })) {
      intake.offer(Unpooled.wrappedBuffer(frame("forged"))); // no tag at all
      intake.offer(Unpooled.wrappedBuffer(FrameAuthenticator.withSecret("another-secret-0123456").seal(frame("x"))));
      byte[] tampered = auth.seal(frame("n1"));
      tampered[30] ^= 1;
      intake.offer(Unpooled.wrappedBuffer(tampered));
      intake.offer(Unpooled.wrappedBuffer(auth.seal(frame("n1"))));

      await().atMost(Duration.ofSeconds(5)).until(() -> intake.accepted.sum() == 1);
      assertThat(intake.unauthenticated.sum()).isEqualTo(3);
      assertThat(applied).extracting(StatusReport::nodeId).containsExactly("n1");
      assertThat(intake.received.sum()).isEqualTo(4);
    }
  }

  @Test
  void countsEveryOutcomeTheSinkReports() {
    List<ReportOutcome> outcomes = List.of(ReportOutcome.values());
    int[] next = {0};
    try (ReportIntake intake = new ReportIntake(auth, 100, 1 << 20, r -> outcomes.get(next[0]++))) {
      for (int i = 0; i < outcomes.size(); i++) {
        intake.offer(Unpooled.wrappedBuffer(auth.seal(frame("n" + i))));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> intake.refused() + intake.accepted.sum() == outcomes.size());
      assertThat(intake.accepted.sum()).isEqualTo(1);
      assertThat(intake.notMember.sum()).isEqualTo(1);
      assertThat(intake.staleOrReplayed.sum()).isEqualTo(1);
      assertThat(intake.overLimits.sum()).isEqualTo(1);
      assertThat(intake.overMemoryBudget.sum()).isEqualTo(1);
    }
  }

  @Test
  void aFloodFillsABoundedQueueAndTheRestIsDroppedAndCounted() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    byte[] datagram = auth.seal(frame("n1"));
    long maxBytes = 20L * (datagram.length - io.kvstore.protocol.InternalFrame.TAG_LENGTH);
    try (ReportIntake intake =
        new ReportIntake(auth, 1_000, maxBytes, r -> {
          try {
            release.await(10, TimeUnit.SECONDS); // a stuck worker: nothing leaves the queue
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return ReportOutcome.ACCEPTED;
        })) {
      for (int i = 0; i < 20_000; i++) {
        intake.offer(Unpooled.wrappedBuffer(datagram));
        assertThat(intake.queuedBytes()).isLessThanOrEqualTo(maxBytes);
      }
      assertThat(intake.dropped.sum()).isGreaterThanOrEqualTo(20_000 - 21);
      assertThat(intake.queued()).isLessThanOrEqualTo(20);
      release.countDown();
    }
  }

  @Test
  void refusesOversizedAndMistypedDatagramsAsMalformed() {
    try (ReportIntake intake = new ReportIntake(auth, 100, 1 << 20, r -> ReportOutcome.ACCEPTED)) {
      intake.offer(Unpooled.wrappedBuffer(new byte[StatusCodec.MAX_REPORT_BYTES + 64]));
      byte[] round = StatusCodec.encodeRound(new byte[16],
          new StatusCodec.Round(1, Reports.address(1), 100, 1, 1));
      intake.offer(Unpooled.wrappedBuffer(auth.seal(round)));

      assertThat(intake.malformed.sum()).isEqualTo(2);
      assertThat(intake.queued()).isZero();
    }
  }
}
