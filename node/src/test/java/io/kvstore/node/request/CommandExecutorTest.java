package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.storage.ForwardingStorageEngine;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.RocksDbStorageEngine;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.node.storage.WalMode;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.Reply;
import io.kvstore.protocol.RequestDecoder;
import io.kvstore.protocol.RequestEncoder;
import io.kvstore.protocol.ResponseCode;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A GET's reply written from the stored record (StorageEngine.readValue), on every engine. */
class CommandExecutorTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5555);

  @TempDir Path tempDir;
  private final AtomicInteger ids = new AtomicInteger();

  @Test
  void getRepliesWithTheStoredValueOrNotFoundOnEveryEngine() {
    try (RocksDbStorageEngine rocks =
        RocksDbStorageEngine.open(tempDir.resolve("db"), StorageLimits.UNLIMITED, WalMode.BUFFERED)) {
      for (StorageEngine engine : List.of(rocks, new MemoryStorageEngine(StorageLimits.UNLIMITED))) {
        CommandExecutor executor = executorOn(engine);
        byte[] small = bytes(100, 1);
        byte[] large = bytes(2000, 2); // larger than RocksDB's held records
        assertThat(execute(executor, Command.PUT, key(1), small).responseCode())
            .isEqualTo(ResponseCode.SUCCESS);
        execute(executor, Command.PUT, key(2), large);
        execute(executor, Command.PUT, key(3), new byte[0]);
        execute(executor, Command.PUT, key(4), small);
        execute(executor, Command.REMOVE, key(4), null);

        for (int twice = 0; twice < 2; twice++) {
          assertThat(execute(executor, Command.GET, key(1), null).value()).isEqualTo(small);
          assertThat(execute(executor, Command.GET, key(2), null).value()).isEqualTo(large);
          Reply empty = execute(executor, Command.GET, key(3), null);
          assertThat(empty.responseCode()).isEqualTo(ResponseCode.SUCCESS);
          assertThat(empty.value()).isEmpty();
          assertThat(execute(executor, Command.GET, key(4), null).responseCode())
              .isEqualTo(ResponseCode.NOT_FOUND);
          assertThat(execute(executor, Command.GET, key(5), null).responseCode())
              .isEqualTo(ResponseCode.NOT_FOUND);
        }
      }
    }
  }

  @Test
  void aDecoratorWatchingReadsSeesEveryGet() {
    List<String> reads = new ArrayList<>();
    StorageEngine watched = new ForwardingStorageEngine(new MemoryStorageEngine(StorageLimits.UNLIMITED)) {
      @Override
      public VersionedRecord get(byte[] key) {
        reads.add("get " + key[31]);
        return delegate.get(key);
      }
    };
    CommandExecutor executor = executorOn(watched);
    execute(executor, Command.PUT, key(1), bytes(10, 1));

    assertThat(execute(executor, Command.GET, key(1), null).value()).isEqualTo(bytes(10, 1));
    assertThat(execute(executor, Command.GET, key(2), null).responseCode())
        .isEqualTo(ResponseCode.NOT_FOUND);
    assertThat(reads).containsExactly("get 1", "get 2");
  }

  private static CommandExecutor executorOn(StorageEngine engine) {
    KeyValueService service = new KeyValueService(
        engine, new HybridLogicalClock(new ManualClock()), DiskSpaceGuard.none());
    return new CommandExecutor(service, new LoneNodeControl(() -> { }), new RequestStats());
  }

  private Reply execute(CommandExecutor executor, Command command, byte[] key, byte[] value) {
    byte[] datagram = RequestEncoder.encode(id(), command, key, value);
    ClientRequest request = new ClientRequest().fill(RequestDecoder.decode(datagram), CLIENT);
    ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    executor.execute(request, out);
    byte[] reply = new byte[out.remaining()];
    out.get(reply);
    return Reply.decode(reply, reply.length, command);
  }

  private byte[] id() {
    byte[] id = new byte[16];
    int n = ids.incrementAndGet();
    id[15] = (byte) n;
    id[14] = (byte) (n >>> 8);
    return id;
  }

  private static byte[] key(int n) {
    byte[] key = new byte[32];
    key[31] = (byte) n;
    return key;
  }

  private static byte[] bytes(int size, int seed) {
    byte[] value = new byte[size];
    for (int i = 0; i < size; i++) {
      value[i] = (byte) (seed * 31 + i);
    }
    return value;
  }
}
