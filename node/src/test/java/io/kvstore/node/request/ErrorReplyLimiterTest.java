package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ErrorReplyLimiterTest {
  private static final long SECOND = 1_000_000_000L;

  private static int granted(ErrorReplyLimiter limiter, InetAddress source, int tries, long now) {
    int granted = 0;
    for (int i = 0; i < tries; i++) {
      granted += limiter.tryAcquire(source, now) ? 1 : 0;
    }
    return granted;
  }

  @Test
  void aSourceGetsItsBurstThenItsRateAndNoMore() throws Exception {
    ErrorReplyLimiter limiter = new ErrorReplyLimiter(100, 100);
    InetAddress a = InetAddress.getByName("10.0.0.1");
    assertThat(granted(limiter, a, 500, -5 * SECOND)).isEqualTo(100); // nanoTime may be negative
    assertThat(granted(limiter, a, 500, -5 * SECOND + SECOND / 10)).isEqualTo(10);
  }

  @Test
  void manySourcesEachHaveTheirOwnBucketAndCollisionsShareOneNeverRefillIt() throws Exception {
    ErrorReplyLimiter limiter = new ErrorReplyLimiter(100, 100);
    InetAddress victim = InetAddress.getByName("10.0.0.1");
    assertThat(granted(limiter, victim, 100, 0)).isEqualTo(100);
    // 10,000 other addresses (more than the table's slots): some share the victim's slot, and
    // sharing must not hand the victim a fresh burst.
    for (int i = 0; i < 10_000; i++) {
      limiter.tryAcquire(InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i}), 0);
    }
    assertThat(granted(limiter, victim, 100, 0)).isZero();
  }

  @Test
  void theLimitIsPerAddressWhateverThePortAndPerSlash64ForIpv6() throws Exception {
    ErrorReplyLimiter limiter = new ErrorReplyLimiter(100, 100);
    // The limiter takes addresses: a spoofer varying the port never reaches it with a new key.
    InetAddress v6 = InetAddress.getByName("2001:db8:0:1::1");
    InetAddress sameSlash64 = InetAddress.getByName("2001:db8:0:1:ffff::2");
    assertThat(granted(limiter, v6, 60, 0) + granted(limiter, sameSlash64, 60, 0)).isEqualTo(100);
    assertThat(granted(limiter, InetAddress.getByName("2001:db8:0:2::1"), 10, 0)).isEqualTo(10);
  }
}
