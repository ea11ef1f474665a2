package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.ReplicationStats;
import io.kvstore.node.replication.ReplicationWiring;
import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.sources.ReplyBudget;
import io.kvstore.node.sources.SourceAllowList;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.MemberEntry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A request pipeline driven as the simulator drives it (datagrams in, datagrams out, manual
 * time), with its own storage and the sends it made: the fixture of the Pipeline*Test classes.
 */
abstract class PipelineHarness {
  static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5555);
  static final InetSocketAddress REMOTE = new InetSocketAddress("10.0.0.5", 5555);
  static final InetSocketAddress NODE = new InetSocketAddress("127.0.0.1", 4000);

  final Random random = new Random(7);
  final ManualClock clock = new ManualClock();
  /** These tests are not about who is answered: everyone is, without a reply budget. */
  final ClientSources openToAll =
      new ClientSources(
          new SourceAllowList(List.of("0.0.0.0/0", "::/0")),
          new SourceAllowList(List.of("0.0.0.0/0", "::/0")),
          new ReplyBudget(1 << 20, 1 << 20, 64, clock), clock);

  /** One pipeline with its own storage, recording what it sends. */
  final class Harness extends RecordingSink {
    final MemoryStorageEngine storage = new MemoryStorageEngine(StorageLimits.UNLIMITED);
    final RequestStats stats = new RequestStats();
    final AtomicInteger halts = new AtomicInteger();
    final List<byte[]> internalFrames = new ArrayList<>();
    final ReplicationStats replicationStats = new ReplicationStats();
    /** What OPS_SUBMIT handed to the node's operations; a value starting with 0 is refused. */
    final List<byte[]> submitted = new ArrayList<>();
    /** Who is answered, and the reply budget: {@link #openToAll} unless a test gives its own. */
    final ClientSources sources;
    final RequestPipeline pipeline;

    Harness(InetSocketAddress address, int queueCapacity, int batchSize, FrameAuthenticator auth,
        Ring ring) {
      this(address, queueCapacity, batchSize, auth, ring, clock);
    }

    Harness(InetSocketAddress address, int queueCapacity, int batchSize, FrameAuthenticator auth,
        Ring ring, Scheduler loop) {
      this(address, queueCapacity, batchSize, auth, ring, loop, openToAll);
    }

    Harness(InetSocketAddress address, int queueCapacity, int batchSize, FrameAuthenticator auth,
        Ring ring, Scheduler loop, ClientSources sources) {
      this.sources = sources;
      PipelineSettings settings =
          new PipelineSettings(queueCapacity, batchSize, 5_000, 100,
              new SourceAllowList(SourceAllowList.DEFAULT), false, 100);
      KeyValueService service =
          new KeyValueService(storage, new HybridLogicalClock(clock), DiskSpaceGuard.none());
      NodeControl control =
          new NodeControl() {
            @Override
            public int pid() {
              return 1234;
            }

            @Override
            public int liveMembers() {
              return 2;
            }

            @Override
            public List<MemberEntry> members() {
              return List.of(
                  new MemberEntry(0, 7, "node-a", NODE),
                  new MemberEntry(1, 9, "node-b", REMOTE));
            }

            @Override
            public void haltNow() {
              halts.incrementAndGet();
            }

            @Override
            public OperationRefusal submitOperation(byte[] operation, InetSocketAddress from) {
              submitted.add(operation);
              return operation.length > 0 && operation[0] == 0
                  ? new OperationRefusal(io.kvstore.protocol.ResponseCode.NOT_PERMITTED, "untrusted-key")
                  : null;
            }
          };
      InternalDispatch dispatch =
          new InternalDispatch(auth, stats).register(0x20, (from, frame) -> internalFrames.add(frame));
      ReplicationWiring replication =
          TestReplication.wiring(storage, clock, ring, replicationStats, dispatch);
      pipeline =
          new RequestPipeline(
              new PipelineWiring(settings, stats, clock, service, control, dispatch, replication,
                  sources),
              new ReplyCache(1 << 20, 5_000), loop, this, address);
    }

    /** One read batch of one datagram. */
    void receive(byte[] datagram, InetSocketAddress from) {
      pipeline.onDatagram(from, ByteBuffer.wrap(datagram));
      pipeline.endBatch();
    }

    /** Runs the pipeline's due timers (queue drains, relays), then takes what it sent. */
    List<byte[]> replies() {
      clock.advance(0);
      return takeSent();
    }

    ManualClock clock() {
      return clock;
    }

    /** The one reply to {@code request}, checked to carry its id. */
    byte[] exchange(byte[] request, InetSocketAddress from) {
      receive(request, from);
      List<byte[]> r = replies();
      assertThat(r).hasSize(1);
      assertThat(java.util.Arrays.copyOf(r.get(0), 16)).isEqualTo(java.util.Arrays.copyOf(request, 16));
      return r.get(0);
    }

    int onlyCode() {
      List<byte[]> r = replies();
      assertThat(r).hasSize(1);
      return r.get(0)[16];
    }
  }

  static final Ring LOCAL = TestReplication.LOCAL;
  /** The node that holds every key of {@link #OWNED_ELSEWHERE}. */
  static final InetSocketAddress OWNER = new InetSocketAddress("127.0.0.2", 4000);
  static final Ring OWNED_ELSEWHERE = TestReplication.ownedBy(OWNER);

  Harness harness(int queueCapacity, int batchSize) {
    return new Harness(NODE, queueCapacity, batchSize, FrameAuthenticator.none(), LOCAL);
  }

  byte[] id() {
    byte[] id = new byte[16];
    random.nextBytes(id);
    return id;
  }

  static byte[] key(int i) {
    byte[] k = new byte[32];
    k[0] = (byte) i;
    return k;
  }
}
