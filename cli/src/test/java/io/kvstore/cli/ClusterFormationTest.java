package io.kvstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class ClusterFormationTest {
  private long nanos;
  private final ByteArrayOutputStream text = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
  private final Set<Integer> joined = new HashSet<>();
  private IntFunction<String> exits = i -> null;

  private ClusterFormation formation(int nodes, Runnable eachPoll) {
    return new ClusterFormation(
        nodes, 4000,
        () -> {
          eachPoll.run();
          return Set.copyOf(joined);
        },
        i -> exits.apply(i), () -> nanos,
        millis -> nanos += TimeUnit.MILLISECONDS.toNanos(millis), out);
  }

  private String output() {
    return text.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theWaitGrowsWithTheClusterSize() {
    assertThat(ClusterFormation.deadlineFor(3)).isEqualTo(Duration.ofSeconds(39));
    assertThat(ClusterFormation.deadlineFor(50)).isEqualTo(Duration.ofSeconds(180));
    assertThat(ClusterFormation.deadlineFor(50)).isGreaterThan(Duration.ofSeconds(60));
  }

  @Test
  void fiftyNodesJoiningSlowlyOnALoadedMachineAreWaitedForWithProgress() throws Exception {
    // one node joins every 2.5 s: 125 s in all, twice what the old fixed 60 s allowed
    boolean formed = formation(50, () -> {
      int due = (int) Math.min(50, TimeUnit.NANOSECONDS.toMillis(nanos) / 2_500 + 1);
      for (int i = 0; i < due; i++) {
        joined.add(4000 + i);
      }
    }).await();
    assertThat(formed).isTrue();
    assertThat(output()).contains("1 of 50 nodes joined...").contains("15 of 50 nodes joined...")
        .contains("50 of 50 nodes joined");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(nanos)).isBetween(120L, 130L);
  }

  @Test
  void failureComesOnlyAtTheProportionalDeadlineAndNamesTheMissingNodes() throws Exception {
    for (int i = 0; i < 48; i++) {
      joined.add(4000 + i);
    }
    ClusterFormation f = formation(50, () -> {});
    assertThat(f.await()).isFalse();
    assertThat(TimeUnit.NANOSECONDS.toSeconds(nanos)).isGreaterThanOrEqualTo(180);
    assertThat(f.failure())
        .contains("48 of 50 nodes")
        .contains("node-49 (127.0.0.1:4048, running, not yet in node-1's view)")
        .contains("node-50 (127.0.0.1:4049");
    assertThat(output()).contains("48 of 50 nodes joined...");
  }

  @Test
  void stopsWaitingOnceEveryMissingNodeHasExited() throws Exception {
    joined.add(4000);
    joined.add(4001);
    exits = i -> i == 3 ? "exited with code 2; see /tmp/node-3/node.log" : null;
    ClusterFormation f = formation(3, () -> {});
    assertThat(f.await()).isFalse();
    assertThat(nanos).isZero(); // nothing left to wait for
    assertThat(f.failure()).contains("node-3 (127.0.0.1:4002, exited with code 2; see /tmp/node-3/node.log)");
  }
}
