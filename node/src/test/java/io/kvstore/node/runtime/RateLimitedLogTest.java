package io.kvstore.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
  private long nanos;
  private final Clock clock =
      new Clock() {
        @Override
        public long currentTimeMillis() {
          return nanos / 1_000_000;
        }

        @Override
        public long nanoTime() {
          return nanos;
        }
      };

  @Test
  void oneLinePerIntervalSayingHowManyWereHeldBack() {
    List<String> lines = new ArrayList<>();
    RateLimitedLog log = new RateLimitedLog(lines::add, 10_000, clock);
    for (int i = 0; i < 1_000; i++) {
      log.warn("oversized datagram from ", "10.0.0." + (i % 3));
      nanos += 1_000_000; // 1 ms
    }
    assertThat(lines).containsExactly("oversized datagram from 10.0.0.0");
    nanos += 9_000_000_000L;
    log.warn("oversized datagram from ", "10.0.0.9");
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).isEqualTo("oversized datagram from 10.0.0.9 (and 999 more since the last such line)");
  }
}
