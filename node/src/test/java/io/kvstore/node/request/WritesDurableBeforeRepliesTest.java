package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.replication.ReplicaFrames;
import io.kvstore.node.replication.ReplicationStats;
import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.sources.ReplyBudget;
import io.kvstore.node.sources.SourceAllowList;
import io.kvstore.node.storage.ForwardingStorageEngine;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageException;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.RequestEncoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * With a storage engine that buffers WAL records until flushed, no reply to a write, nor a replica
 * ack, may leave before the flush (the fsync with --sync), and none may leave at all when the
 * flush fails. The sink and the storage log into one list, so the order is what is checked.
 */
class WritesDurableBeforeRepliesTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5555);
  private static final InetSocketAddress COORDINATOR = new InetSocketAddress("127.0.0.2", 5556);
  private static final InetSocketAddress NODE = new InetSocketAddress("127.0.0.1", 4000);

  private final Random random = new Random(11);
  private final ManualClock clock = new ManualClock();
  private final List<String> events = new ArrayList<>();

  /** Memory storage that logs every durability call, and can fail them. */
  private final class LoggingStorage extends ForwardingStorageEngine {
    boolean failing;

    LoggingStorage() {
      super(new MemoryStorageEngine(StorageLimits.UNLIMITED));
    }

    @Override
    public void flushWal() {
      events.add("flushWal");
      if (failing) {
        throw new StorageException("WAL write failed (test)");
      }
    }

    @Override
    public void sync() {
      events.add("sync");
      if (failing) {
        throw new StorageException("WAL sync failed (test)");
      }
    }
  }

  private final LoggingStorage storage = new LoggingStorage();
  private int halts;

  private RequestPipeline pipeline(boolean syncWrites) {
    PipelineSettings settings = new PipelineSettings(16, 64, 5_000, 100,
        new SourceAllowList(SourceAllowList.DEFAULT), syncWrites, 100);
    ClientSources openToAll = new ClientSources(
        new SourceAllowList(List.of("0.0.0.0/0")), new SourceAllowList(List.of("0.0.0.0/0")),
        new ReplyBudget(1 << 20, 1 << 20, 64, clock), clock);
    NodeControl control = new LoneNodeControl(() -> {
      events.add("halt");
      halts++;
    });
    RequestStats stats = new RequestStats();
    InternalDispatch dispatch = new InternalDispatch(FrameAuthenticator.none(), stats);
    KeyValueService service =
        new KeyValueService(storage, new HybridLogicalClock(clock), DiskSpaceGuard.none());
    DatagramSink sink = new DatagramSink() {
      @Override
      public void send(InetSocketAddress to, ByteBuffer datagram) {
        events.add("send");
      }

      @Override
      public void sendThen(InetSocketAddress to, ByteBuffer datagram, Runnable afterSent) {
        events.add("sendThen");
        afterSent.run();
      }

      @Override
      public void flush() {
        events.add("flush");
      }
    };
    return new RequestPipeline(
        new PipelineWiring(settings, stats, clock, service, control, dispatch,
            TestReplication.wiring(storage, clock, TestReplication.LOCAL, new ReplicationStats(), dispatch),
            openToAll),
        new ReplyCache(1 << 20, 5_000), clock, sink, NODE);
  }

  private byte[] request(Command command, int key, byte[] value) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    return RequestEncoder.encode(id, command, key(key), value);
  }

  private static byte[] key(int i) {
    byte[] k = new byte[32];
    k[0] = (byte) i;
    return k;
  }

  private static void receive(RequestPipeline pipeline, InetSocketAddress from, byte[]... datagrams) {
    for (byte[] d : datagrams) {
      pipeline.onDatagram(from, ByteBuffer.wrap(d));
    }
    pipeline.endBatch();
  }

  @Test
  void aBatchOfWritesIsFlushedOnceBeforeItsRepliesLeave() {
    RequestPipeline pipeline = pipeline(false);
    receive(pipeline, CLIENT, request(Command.PUT, 1, new byte[] {1}),
        request(Command.PUT, 2, new byte[] {2}), request(Command.REMOVE, 1, null));
    assertThat(events).containsExactly("send", "send", "send", "flushWal", "flush");
  }

  @Test
  void withSyncTheBatchIsFsyncedInsteadAndAReadOnlyBatchStillFlushes() {
    RequestPipeline pipeline = pipeline(true);
    receive(pipeline, CLIENT, request(Command.PUT, 1, new byte[] {1}));
    assertThat(events).containsExactly("send", "sync", "flush");
    events.clear();
    // A GET may return a value another event loop wrote and has not flushed yet.
    receive(pipeline, CLIENT, request(Command.GET, 1, null));
    assertThat(events).containsExactly("send", "flushWal", "flush");
  }

  @Test
  void aReplicaAckLeavesAfterTheFlush() {
    RequestPipeline pipeline = pipeline(false);
    receive(pipeline, COORDINATOR,
        ReplicaFrames.write(7, 0, key(3), VersionedRecord.live(clock.currentTimeMillis() << 16, new byte[] {3}), false));
    assertThat(storage.get(key(3))).as("applied").isNotNull();
    assertThat(events).containsExactly("send", "flushWal", "flush");
  }

  @Test
  void shutdownFlushesTheWritesOfItsBatchBeforeSendingAnything() {
    RequestPipeline pipeline = pipeline(false);
    receive(pipeline, CLIENT, request(Command.PUT, 1, new byte[] {1}),
        RequestEncoder.encode(new byte[16], Command.SHUTDOWN, null, null));
    assertThat(events.subList(0, 4)).containsExactly("send", "flushWal", "sendThen", "halt");
  }

  @Test
  void whenTheWalCannotBeWrittenNothingQueuedLeavesAndTheNodeHalts() {
    RequestPipeline pipeline = pipeline(false);
    storage.failing = true;
    receive(pipeline, CLIENT, request(Command.PUT, 1, new byte[] {1}));
    assertThat(events).containsExactly("send", "flushWal", "halt");
    assertThat(halts).isEqualTo(1);
  }
}
