package io.kvstore.node.ops.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputTailTest {
  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void keepsEverythingBelowCapacity() {
    OutputTail tail = new OutputTail(8);
    tail.write(ascii("abc"), 0, 3);
    tail.write(ascii("de"), 0, 2);
    assertThat(tail.text()).isEqualTo("abcde");
    assertThat(tail.droppedBytes()).isZero();
    assertThat(tail.totalBytes()).isEqualTo(5);
  }

  @Test
  void keepsTheLastBytesAcrossTheWrapAndCountsTheRest() {
    OutputTail tail = new OutputTail(8);
    tail.write(ascii("0123456"), 0, 7);
    tail.write(ascii("789ab"), 0, 5);
    assertThat(tail.text()).isEqualTo("456789ab");
    assertThat(tail.droppedBytes()).isEqualTo(4);
    tail.write(ascii("xyz0123456789"), 3, 10); // one write longer than the ring
    assertThat(tail.text()).isEqualTo("23456789");
    assertThat(tail.totalBytes()).isEqualTo(22);
    assertThat(tail.droppedBytes()).isEqualTo(14);
  }

  @Test
  void aMillionSmallWritesHoldOnlyTheCapacity() {
    OutputTail tail = new OutputTail(1024);
    byte[] line = ascii("line\n");
    for (int i = 0; i < 1_000_000; i++) {
      tail.write(line, 0, line.length);
    }
    assertThat(tail.bytes()).hasSize(1024);
    assertThat(tail.droppedBytes()).isEqualTo(5_000_000L - 1024);
  }
}
