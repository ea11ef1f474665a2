package io.kvstore.node.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.runtime.Clock;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UnauthenticatedSourcesTest {
  private long nanos = TimeUnit.SECONDS.toNanos(1000);
  private final Clock clock =
      new Clock() {
        @Override
        public long currentTimeMillis() {
          return TimeUnit.NANOSECONDS.toMillis(nanos);
        }

        @Override
        public long nanoTime() {
          return nanos;
        }
      };
  private final List<String> lines = new ArrayList<>();
  private final UnauthenticatedSources sources =
      new UnauthenticatedSources(clock, (from, n) -> lines.add((from == null ? "others" : from.getPort()) + ":" + n));

  private static InetSocketAddress source(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  private void advance(long millis) {
    nanos += TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void firstRejectionIsReportedAtOnceThenAtMostEveryTenSecondsPerSource() {
    sources.record(source(1));
    assertThat(lines).containsExactly("1:1");
    for (int i = 0; i < 1000; i++) {
      sources.record(source(1));
      advance(5);
    }
    assertThat(lines).containsExactly("1:1"); // 5 s: nothing more yet
    advance(5_000);
    sources.record(source(1));
    assertThat(lines).containsExactly("1:1", "1:1001"); // everything since the last line
    sources.record(source(2));
    assertThat(lines).containsExactly("1:1", "1:1001", "2:1"); // another source has its own limit
  }

  @Test
  void theTableIsBoundedAndTheRestShareOneTally() {
    int flood = UnauthenticatedSources.MAX_SOURCES + 10_000;
    for (int port = 1; port <= flood; port++) {
      sources.record(source(port));
    }
    assertThat(sources.trackedSources()).isEqualTo(UnauthenticatedSources.MAX_SOURCES);
    // one line per tracked source and a single one for all the others
    assertThat(lines).hasSize(UnauthenticatedSources.MAX_SOURCES + 1);
    assertThat(lines.get(lines.size() - 1)).isEqualTo("others:1");
    advance(UnauthenticatedSources.LOG_INTERVAL_MILLIS);
    sources.record(source(flood + 1));
    assertThat(lines.get(lines.size() - 1)).isEqualTo("others:" + (flood - UnauthenticatedSources.MAX_SOURCES));
  }

  @Test
  void aFullTableDropsQuietSourcesSoAForgedBurstDoesNotHoldItForever() {
    for (int port = 1; port <= UnauthenticatedSources.MAX_SOURCES; port++) {
      sources.record(source(port)); // a one-off burst of forged sources fills the table
    }
    advance(5_000);
    sources.record(source(60_000)); // a node with the wrong secret, sending on and on
    assertThat(lines.get(lines.size() - 1)).as("not yet: the burst is 5 s old").isEqualTo("others:1");
    for (int i = 0; i < 4; i++) {
      advance(5_000);
      sources.record(source(60_000));
    }
    // 25 s after the burst: the quiet sources were dropped and the node is named again.
    assertThat(sources.evicted()).isEqualTo(UnauthenticatedSources.MAX_SOURCES);
    assertThat(sources.trackedSources()).isEqualTo(1);
    assertThat(lines.get(lines.size() - 1)).isEqualTo("60000:1");
    advance(UnauthenticatedSources.LOG_INTERVAL_MILLIS);
    sources.record(source(60_000));
    assertThat(lines.get(lines.size() - 1)).isEqualTo("60000:1");
  }

  @Test
  void requestStatsCountEveryRejection() {
    io.kvstore.node.request.RequestStats stats = new io.kvstore.node.request.RequestStats();
    for (int i = 0; i < 5; i++) {
      stats.unauthenticated(source(9));
    }
    assertThat(stats.unauthenticated.sum()).isEqualTo(5);
    assertThat(stats.insecure()).isFalse();
    stats.markInsecure();
    assertThat(stats.insecure()).isTrue();
  }
}
