package io.kvstore.bench.replicated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {
  private static ReplicatedBench.Options parse(String... args) {
    return ReplicatedBench.Options.parse(args);
  }

  @Test
  void defaultsAreTheDocumentedWorkload() {
    ReplicatedBench.Options o = parse("--system", "kvstore", "--nodes", "127.0.0.1:4000,127.0.0.2:4001");
    assertThat(o.nodes()).hasSize(2);
    assertThat(o.expectMembers()).isEqualTo(2);
    assertThat(o.workload().window()).isEqualTo(32);
    assertThat(o.workload().keyCount()).isEqualTo(10_000);
    assertThat(o.workload().valueSize()).isEqualTo(100);
    assertThat(o.workload().getFraction()).isEqualTo(0.9);
    assertThat(o.workload().warmup()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.workload().duration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(o.label()).isEqualTo("kvstore");
  }

  @Test
  void parsesEveryOption() {
    ReplicatedBench.Options o = parse(
        "--system", "hazelcast", "--nodes", "127.0.0.1:5701", "--window", "64", "--keys", "1000",
        "--value-size", "200", "--get-fraction", "0.5", "--warmup", "500ms", "--duration", "2m",
        "--expect-members", "3", "--cluster-name", "c", "--label", "hz-1", "--round", "4");
    assertThat(o.workload().window()).isEqualTo(64);
    assertThat(o.workload().warmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(o.workload().duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.expectMembers()).isEqualTo(3);
    assertThat(o.round()).isEqualTo(4);
  }

  @Test
  void refusesToLoadAnythingButLoopback() {
    assertThatThrownBy(() -> parse("--system", "kvstore", "--nodes", "127.0.0.1:4000,10.0.0.1:4000"))
        .hasMessageContaining("10.0.0.1:4000 is not a loopback address");
  }

  @Test
  void namesTheOptionOfEveryBadValue() {
    String[] base = {"--system", "kvstore", "--nodes", "127.0.0.1:4000"};
    assertBad(base, new String[] {"--window", "0"}, "--window must be from 1 to 4096");
    assertBad(base, new String[] {"--window", "lots"}, "--window must be a whole number");
    assertBad(base, new String[] {"--get-fraction", "1.5"}, "--get-fraction must be from 0 to 1");
    assertBad(base, new String[] {"--duration", "11m"}, "--duration must be from");
    assertBad(base, new String[] {"--duration", "ten"}, "--duration must be a duration such as");
    assertBad(base, new String[] {"--value-size", "15001"}, "--value-size must be from 1 to 15000");
    assertBad(base, new String[] {"--label", "a b"}, "--label takes");
    assertBad(base, new String[] {"--windw", "3"}, "unknown option(s): --windw");
    assertBad(base, new String[] {"--window"}, "--window needs a value");
    assertBad(base, new String[] {"--window", "2", "--window", "3"}, "--window is given twice");
    assertThatThrownBy(() -> parse("--system", "redis", "--nodes", "127.0.0.1:1"))
        .hasMessageContaining("--system must be kvstore or hazelcast");
    assertThatThrownBy(() -> parse("--system", "kvstore")).hasMessageContaining("--nodes is required");
  }

  private static void assertBad(String[] base, String[] extra, String message) {
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    assertThatThrownBy(() -> parse(args))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
