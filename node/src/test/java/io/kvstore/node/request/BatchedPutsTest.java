package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.replication.ReplicationStats;
import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.sources.ReplyBudget;
import io.kvstore.node.sources.SourceAllowList;
import io.kvstore.node.storage.DiskFullException;
import io.kvstore.node.storage.ForwardingStorageEngine;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageException;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.RequestEncoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The PUTs of a read batch reach storage together (one putAll) and are answered in arrival order
 * at the batch's end, with every other request, a retransmission included, seeing them in order.
 */
class BatchedPutsTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5555);
  private static final InetSocketAddress NODE = new InetSocketAddress("127.0.0.1", 4000);

  private final ManualClock clock = new ManualClock();
  private final RecordingSink sink = new RecordingSink();
  private final List<byte[]> sent = sink.sent;
  /** The size of each putAll, and 0 for a put called on its own. */
  private final List<Integer> storageWrites = new ArrayList<>();
  private int nextId;

  /** Memory storage that logs its writes; a put of key {@link #FAILING} throws {@link #failure}. */
  private final class LoggingStorage extends ForwardingStorageEngine {
    RuntimeException failure;

    LoggingStorage() {
      super(new MemoryStorageEngine(StorageLimits.UNLIMITED));
    }

    @Override
    public void putAll(byte[][] keys, byte[][] values, long[] timestamps, int count,
        WriteResult[] results, RuntimeException[] failures) {
      storageWrites.add(count);
      super.putAll(keys, values, timestamps, count, results, failures); // one put() each
      storageWrites.subList(storageWrites.size() - count, storageWrites.size()).clear();
    }

    @Override
    public WriteResult put(byte[] key, byte[] value, long timestamp) {
      storageWrites.add(0);
      if (failure != null && key[0] == FAILING) {
        throw failure;
      }
      return super.put(key, value, timestamp);
    }
  }

  private static final int FAILING = 9;
  private final LoggingStorage storage = new LoggingStorage();
  private final RequestStats stats = new RequestStats();
  private final RequestPipeline pipeline = pipeline();

  private RequestPipeline pipeline() {
    PipelineSettings settings = new PipelineSettings(16, 64, 5_000, 100,
        new SourceAllowList(SourceAllowList.DEFAULT), false, 100);
    ClientSources openToAll = new ClientSources(
        new SourceAllowList(List.of("0.0.0.0/0")), new SourceAllowList(List.of("0.0.0.0/0")),
        new ReplyBudget(1 << 20, 1 << 20, 64, clock), clock);
    InternalDispatch dispatch = new InternalDispatch(FrameAuthenticator.none(), stats);
    KeyValueService service =
        new KeyValueService(storage, new HybridLogicalClock(clock), DiskSpaceGuard.none());
    return new RequestPipeline(
        new PipelineWiring(settings, stats, clock, service, new LoneNodeControl(() -> {}), dispatch,
            TestReplication.wiring(storage, clock, TestReplication.LOCAL, new ReplicationStats(),
                dispatch),
            openToAll),
        new ReplyCache(1 << 20, 5_000), clock, sink, NODE);
  }

  private byte[] request(Command command, int key, String value) {
    byte[] id = new byte[16];
    id[15] = (byte) ++nextId;
    byte[] k = new byte[32];
    k[0] = (byte) key;
    return RequestEncoder.encode(id, command, k, value == null ? null : value.getBytes());
  }

  private void batch(byte[]... datagrams) {
    for (byte[] d : datagrams) {
      pipeline.onDatagram(CLIENT, ByteBuffer.wrap(d));
    }
    pipeline.endBatch();
  }

  private byte[] storedValue(int key) {
    byte[] k = new byte[32];
    k[0] = (byte) key;
    return storage.get(k).value();
  }

  @Test
  void thePutsOfABatchAreStoredInOneWriteAndAnsweredInArrivalOrderAtItsEnd() {
    byte[][] puts = new byte[5][];
    for (int i = 0; i < 5; i++) {
      puts[i] = request(Command.PUT, i, "v" + i);
      pipeline.onDatagram(CLIENT, ByteBuffer.wrap(puts[i]));
    }
    assertThat(sent).as("nothing answered before the batch ends").isEmpty();
    assertThat(storageWrites).as("nothing stored yet").isEmpty();
    pipeline.endBatch();

    assertThat(storageWrites).containsExactly(5);
    assertThat(sent).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(Arrays.copyOf(sent.get(i), 16)).isEqualTo(Arrays.copyOf(puts[i], 16));
      assertThat(sent.get(i)[16]).isZero();
      assertThat(storedValue(i)).isEqualTo(("v" + i).getBytes());
    }
    assertThat(stats.executedCount(Command.PUT)).isEqualTo(5);
  }

  @Test
  void aGetOrRemoveAfterPutsInTheSameBatchSeesThemAndRepliesKeepTheOrder() {
    batch(request(Command.PUT, 1, "a"), request(Command.PUT, 2, "x"), request(Command.GET, 1, null),
        request(Command.PUT, 1, "b"), request(Command.REMOVE, 2, null), request(Command.GET, 1, null),
        request(Command.GET, 2, null));

    assertThat(storageWrites).as("the PUTs before the first GET, then the one before the REMOVE")
        .containsExactly(2, 1);
    assertThat(sent).hasSize(7);
    assertThat(new String(sent.get(2), 19, 1)).as("GET after PUT a").isEqualTo("a");
    assertThat(new String(sent.get(5), 19, 1)).as("GET after PUT b").isEqualTo("b");
    assertThat(sent.get(4)[16]).as("REMOVE found the batch's PUT").isZero();
    assertThat(sent.get(6)[16]).as("GET after the REMOVE").isEqualTo((byte) 0x01);
  }

  @Test
  void aRetransmissionOfAHeldPutIsAnsweredFromTheCacheAndDoesNotRunAgain() {
    byte[] first = request(Command.PUT, 1, "a");
    batch(first, request(Command.PUT, 1, "b"), first);

    assertThat(sent).hasSize(3);
    assertThat(Arrays.copyOf(sent.get(2), 17)).isEqualTo(Arrays.copyOf(sent.get(0), 17));
    assertThat(stats.executedCount(Command.PUT)).isEqualTo(2);
    assertThat(stats.retransmissions.sum()).isEqualTo(1);
    assertThat(storedValue(1)).as("the retransmission did not overwrite b").isEqualTo("b".getBytes());
  }

  @Test
  void aPutThatFailsInStorageIsAnswered0x04UncachedAndTheOthersSucceed() {
    storage.failure = new StorageException("write failed (test)");
    byte[] failing = request(Command.PUT, FAILING, "f");
    batch(request(Command.PUT, 1, "a"), failing, request(Command.PUT, 2, "b"));

    assertThat(sent).extracting(r -> r[16]).containsExactly((byte) 0, (byte) 0x04, (byte) 0);
    assertThat(stats.internalFailures.sum()).isEqualTo(1);
    storage.failure = null;
    batch(failing);
    assertThat(sent.get(3)[16]).as("not cached: the retry runs").isZero();
    assertThat(storedValue(FAILING)).isEqualTo("f".getBytes());
  }

  @Test
  void aFullDiskIsOutOfSpaceForThatPut() {
    storage.failure = new DiskFullException("no space left (test)", null);
    batch(request(Command.PUT, FAILING, "f"), request(Command.PUT, 1, "a"));

    assertThat(sent).extracting(r -> r[16]).containsExactly((byte) 0x02, (byte) 0);
  }
}
