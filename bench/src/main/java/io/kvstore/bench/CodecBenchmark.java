package io.kvstore.bench;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.DecodedRequest;
import io.kvstore.protocol.ReplyEncoder;
import io.kvstore.protocol.RequestDecoder;
import io.kvstore.protocol.RequestEncoder;
import io.kvstore.protocol.ResponseCode;
import java.nio.ByteBuffer;
import java.util.Random;
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

/** Cost of decoding requests and encoding replies: the per-datagram work of the hot path. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  @Param({"100", "15000"})
  int valueSize;

  private ByteBuffer put;
  private ByteBuffer get;
  private final DecodedRequest decoded = new DecodedRequest();
  private final ByteBuffer reply = ByteBuffer.allocateDirect(16 * 1024);
  private byte[] value;

  @Setup
  public void setUp() {
    Random random = new Random(1);
    byte[] id = new byte[16];
    byte[] key = new byte[32];
    value = new byte[valueSize];
    random.nextBytes(id);
    random.nextBytes(key);
    random.nextBytes(value);
    put = ByteBuffer.allocateDirect(51 + valueSize);
    put.put(RequestEncoder.encode(id, Command.PUT, key, value)).flip();
    get = ByteBuffer.allocateDirect(49);
    get.put(RequestEncoder.encode(id, Command.GET, key, null)).flip();
  }

  @Benchmark
  public DecodedRequest decodePut() {
    return RequestDecoder.decode(put, decoded);
  }

  @Benchmark
  public DecodedRequest decodeGet() {
    return RequestDecoder.decode(get, decoded);
  }

  @Benchmark
  public ByteBuffer encodeGetReply() {
    reply.clear();
    ReplyEncoder.valueHeader(reply, get, 0, value.length);
    reply.put(value);
    return reply;
  }

  @Benchmark
  public ByteBuffer encodeCodeReply() {
    reply.clear();
    ReplyEncoder.code(reply, get, 0, ResponseCode.SUCCESS);
    return reply;
  }
}
