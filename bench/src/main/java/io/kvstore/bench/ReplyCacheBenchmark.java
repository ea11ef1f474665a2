package io.kvstore.bench;

import io.kvstore.node.request.ReplyCache;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of the at-most-once reply cache per request: an insert of a fresh reply (what every
 * executed request pays) and a lookup (every request pays one; retransmissions hit). Run with
 * {@code -prof gc} to see that neither allocates on the heap.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx64m", "-XX:MaxDirectMemorySize=256m"})
public class ReplyCacheBenchmark {
  @Param({"17", "119"})
  int replySize;

  private ReplyCache cache;
  private ByteBuffer reply;
  private long sequence;

  @Setup
  public void setUp() {
    cache = new ReplyCache(48 << 20, 5_000);
    reply = ByteBuffer.allocateDirect(replySize);
    for (int i = 0; i < 1_000_000; i++) {
      insert();
    }
  }

  @Benchmark
  public void insert() {
    long id = sequence++;
    cache.insert(id % 1000, id, ~id, id * 31, reply, id >> 7);
  }

  @Benchmark
  public int lookupHit() {
    long id = sequence - 1 - (sequence & 0xFFFF);
    return cache.find(id % 1000, id, ~id, id * 31);
  }

  @Benchmark
  public int lookupMiss() {
    long id = sequence + 1_000_000;
    sequence++;
    return cache.find(id % 1000, id, ~id, id * 31);
  }
}
