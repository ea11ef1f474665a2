package io.kvstore.node.request;

import io.kvstore.node.sources.SourceAllowList;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.runtime.Scheduler;
import java.util.ArrayDeque;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.sources.ReplyBudget;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.MemberEntry;
import io.kvstore.protocol.RequestEncoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.ReplicaFrames;
import io.kvstore.node.replication.ReplicationStats;
import io.kvstore.node.replication.ReplicationWiring;
import io.kvstore.node.storage.VersionedRecord;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The request pipeline driven as the simulator drives it: datagrams in, datagrams out, manual time. */
class RequestPipelineTest {
  static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5555);
  static final InetSocketAddress REMOTE = new InetSocketAddress("10.0.0.5", 5555);
  static final InetSocketAddress NODE = new InetSocketAddress("127.0.0.1", 4000);

  private final Random random = new Random(7);
  private final ManualClock clock = new ManualClock();
  /** These tests are not about who is answered: everyone is, without a reply budget. */
  private final ClientSources openToAll =
      new ClientSources(
          new SourceAllowList(List.of("0.0.0.0/0", "::/0")),
          new SourceAllowList(List.of("0.0.0.0/0", "::/0")),
          new ReplyBudget(1 << 20, 1 << 20, 64, clock), clock);

  /** One pipeline with its own storage, recording what it sends. */
  final class Harness implements DatagramSink {
    final MemoryStorageEngine storage = new MemoryStorageEngine(StorageLimits.UNLIMITED);
    final RequestStats stats = new RequestStats();
    final AtomicInteger halts = new AtomicInteger();
    final List<InetSocketAddress> sentTo = new ArrayList<>();
    final List<byte[]> sent = new ArrayList<>();
    final List<byte[]> internalFrames = new ArrayList<>();
    final ReplicationStats replicationStats = new ReplicationStats();
    /** What OPS_SUBMIT handed to the node's operations; a value starting with 0 is refused. */
    final List<byte[]> submitted = new ArrayList<>();
    final RequestPipeline pipeline;
    int flushes;

    Harness(InetSocketAddress address, int queueCapacity, int batchSize, FrameAuthenticator auth,
        Ring ring) {
      this(address, queueCapacity, batchSize, auth, ring, clock);
    }

    Harness(InetSocketAddress address, int queueCapacity, int batchSize, FrameAuthenticator auth,
        Ring ring, Scheduler loop) {
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
                  openToAll),
              new ReplyCache(1 << 20, 5_000), loop, this, address);
    }

    @Override
    public void send(InetSocketAddress to, ByteBuffer datagram) {
      byte[] bytes = new byte[datagram.remaining()];
      datagram.get(bytes);
      sentTo.add(to);
      sent.add(bytes);
    }

    @Override
    public void sendThen(InetSocketAddress to, ByteBuffer datagram, Runnable afterSent) {
      send(to, datagram);
      flush();
      afterSent.run();
    }

    @Override
    public void flush() {
      flushes++;
    }

    /** One read batch of one datagram. */
    void receive(byte[] datagram, InetSocketAddress from) {
      pipeline.onDatagram(from, ByteBuffer.wrap(datagram));
      pipeline.endBatch();
    }

    /** Runs the pipeline's due timers (queue drains, relays), then takes what it sent. */
    List<byte[]> replies() {
      clock.advance(0);
      List<byte[]> out = new ArrayList<>(sent);
      sent.clear();
      sentTo.clear();
      return out;
    }

    ManualClock clock() {
      return clock;
    }

    int onlyCode() {
      List<byte[]> r = replies();
      assertThat(r).hasSize(1);
      return r.get(0)[16];
    }
  }

  private static final Ring LOCAL = TestReplication.LOCAL;

  private Harness harness(int queueCapacity, int batchSize) {
    return new Harness(NODE, queueCapacity, batchSize, FrameAuthenticator.none(), LOCAL);
  }

  private byte[] id() {
    byte[] id = new byte[16];
    random.nextBytes(id);
    return id;
  }

  static byte[] key(int i) {
    byte[] k = new byte[32];
    k[0] = (byte) i;
    return k;
  }

  @Test
  void retransmissionIsAnsweredFromTheCacheWithoutExecuting() {
    Harness h = harness(16, 64);
    byte[] put = RequestEncoder.encode(id(), Command.PUT, key(1), "a".getBytes());
    h.receive(put, CLIENT);
    assertThat(h.onlyCode()).isZero();
    h.receive(RequestEncoder.encode(id(), Command.PUT, key(1), "b".getBytes()), CLIENT);
    assertThat(h.onlyCode()).isZero();
    h.receive(put, CLIENT);
    assertThat(h.onlyCode()).isZero();
    assertThat(h.stats.retransmissions.sum()).isEqualTo(1);
    assertThat(h.stats.executedCount(Command.PUT)).isEqualTo(2);
    assertThat(h.storage.get(key(1)).value()).isEqualTo("b".getBytes());
  }

  @Test
  void aRetransmissionWithOtherPaddingIsTheSameRequestButAReusedIdIsNot() {
    Harness h = harness(16, 64);
    byte[] id = id();
    byte[] put = RequestEncoder.encode(id, Command.PUT, key(1), "a".getBytes());
    h.receive(put, CLIENT);
    h.receive(Arrays.copyOf(put, put.length + 9), CLIENT);
    assertThat(h.replies()).hasSize(2);
    assertThat(h.stats.retransmissions.sum()).isEqualTo(1);
    h.receive(RequestEncoder.encode(id, Command.PUT, key(1), "c".getBytes()), CLIENT);
    assertThat(h.onlyCode()).isZero();
    assertThat(h.storage.get(key(1)).value()).as("a reused id runs as new").isEqualTo("c".getBytes());
  }

  @Test
  void theSameIdFromAnotherSourceIsADifferentRequest() {
    Harness h = harness(16, 64);
    byte[] remove = RequestEncoder.encode(id(), Command.REMOVE, key(2), null);
    h.storage.put(key(2), new byte[] {1}, 1);
    h.receive(remove, CLIENT);
    assertThat(h.onlyCode()).isZero();
    h.receive(remove, new InetSocketAddress("127.0.0.2", 5555));
    assertThat(h.onlyCode()).isEqualTo(0x01);
  }

  @Test
  void requestsBeyondTheQueueAreAnsweredOverloadAndNotExecuted() {
    Harness h = harness(4, 2);
    // Seven arrive in one read batch: 2 run inline, 4 queue, the seventh is shed at once.
    for (int i = 0; i < 7; i++) {
      h.pipeline.onDatagram(CLIENT,
          ByteBuffer.wrap(RequestEncoder.encode(id(), Command.PUT, key(i), new byte[] {1})));
    }
    h.pipeline.endBatch();
    assertThat(h.sent).as("two executed and one shed, before any drain").hasSize(3);
    assertThat(h.sent.get(0)[16]).as("shed at once; the PUTs answered at the batch's end")
        .isEqualTo((byte) 0x03);
    assertThat(h.pipeline.queued()).isEqualTo(4);
    List<byte[]> r = h.replies(); // the loop runs its timers: drains of 2, then 2
    assertThat(r).hasSize(7);
    assertThat(r.stream().filter(b -> b[16] == 0x03).count()).isEqualTo(1);
    assertThat(h.storage.keyCount()).as("the shed request changed nothing").isEqualTo(6);
    assertThat(h.storage.get(key(6))).isNull();
    assertThat(h.stats.overloaded.sum()).isEqualTo(1);
  }

  @Test
  void theQueueDrainsOneBatchPerTimerSoTheLoopReadsBetweenDrains() {
    ArrayDeque<Runnable> timers = new ArrayDeque<>();
    Scheduler loop = (delay, task) -> {
      timers.add(task);
      return () -> {};
    };
    Harness h = new Harness(NODE, 4, 1, FrameAuthenticator.none(), LOCAL, loop);
    for (int i = 0; i < 3; i++) {
      h.pipeline.onDatagram(CLIENT,
          ByteBuffer.wrap(RequestEncoder.encode(id(), Command.PUT, key(i), new byte[] {1})));
    }
    h.pipeline.endBatch();
    assertThat(h.pipeline.queued()).as("drained only when the loop runs its timers").isEqualTo(2);
    assertThat(timers).as("one drain scheduled, however many wait").hasSize(1);
    // A read before the drain: the queue has room for 2 more, the third is shed.
    for (int i = 3; i < 6; i++) {
      h.pipeline.onDatagram(CLIENT,
          ByteBuffer.wrap(RequestEncoder.encode(id(), Command.GET, key(i), null)));
    }
    h.pipeline.endBatch();
    assertThat(h.pipeline.queued()).isEqualTo(4);
    assertThat(h.stats.overloaded.sum()).isEqualTo(1);
    assertThat(timers).hasSize(1);
    for (int expected = 3; expected >= 0; expected--) {
      timers.poll().run(); // one batch (of one request), and a new timer for the rest
      assertThat(h.pipeline.queued()).isEqualTo(expected);
    }
    assertThat(timers).isEmpty();
    assertThat(h.replies()).hasSize(6);
    assertThat(h.storage.keyCount()).isEqualTo(3);
  }

  @Test
  void aRequestThatWaitedLongerThanTheQueueAllowsIsAnsweredOverloadUnexecuted() {
    ArrayDeque<Runnable> timers = new ArrayDeque<>();
    Scheduler loop = (delay, task) -> {
      timers.add(task);
      return () -> {};
    };
    Harness h = new Harness(NODE, 8, 1, FrameAuthenticator.none(), LOCAL, loop);
    h.pipeline.onDatagram(CLIENT,
        ByteBuffer.wrap(RequestEncoder.encode(id(), Command.PUT, key(1), new byte[] {1}))); // inline
    h.pipeline.onDatagram(CLIENT,
        ByteBuffer.wrap(RequestEncoder.encode(id(), Command.PUT, key(2), new byte[] {1}))); // queued
    h.pipeline.endBatch();
    clock.advance(60);
    h.pipeline.onDatagram(CLIENT,
        ByteBuffer.wrap(RequestEncoder.encode(id(), Command.PUT, key(3), new byte[] {1}))); // queued
    h.pipeline.endBatch();
    clock.advance(41); // the first queued has waited 101 ms, the second 41
    timers.poll().run();
    List<byte[]> r = h.replies();
    assertThat(r).hasSize(3);
    assertThat(r.get(1)[16]).as("waited too long").isEqualTo((byte) 0x03);
    assertThat(r.get(2)[16]).isZero();
    assertThat(h.storage.get(key(2))).as("shed unexecuted").isNull();
    assertThat(h.storage.get(key(3))).isNotNull();
    assertThat(h.stats.queueExpired.sum()).isEqualTo(1);
    assertThat(h.stats.overloaded.sum()).isEqualTo(1);
  }

  @Test
  void aQueuedRetransmissionOfARequestThatRanMeanwhileIsAnsweredFromTheCache() {
    Harness h = harness(8, 1);
    byte[] first = RequestEncoder.encode(id(), Command.PUT, key(1), "x".getBytes());
    byte[] second = RequestEncoder.encode(id(), Command.PUT, key(2), "y".getBytes());
    h.pipeline.onDatagram(CLIENT, ByteBuffer.wrap(first)); // runs inline
    h.pipeline.onDatagram(CLIENT, ByteBuffer.wrap(second)); // queued
    h.pipeline.onDatagram(CLIENT, ByteBuffer.wrap(second)); // its retransmission, queued too
    h.pipeline.endBatch();
    assertThat(h.replies()).hasSize(3);
    assertThat(h.stats.executedCount(Command.PUT)).isEqualTo(2);
    assertThat(h.stats.retransmissions.sum()).isEqualTo(1);
  }

  @Test
  void adminCommandsFromOutsideTheAllowListAreNotPermitted() {
    Harness h = harness(16, 64);
    h.storage.put(key(3), new byte[] {1}, 1);
    h.receive(RequestEncoder.encode(id(), Command.WIPEOUT, null, null), REMOTE);
    assertThat(h.onlyCode()).isEqualTo(0x21);
    h.receive(RequestEncoder.encode(id(), Command.SHUTDOWN, null, null), REMOTE);
    assertThat(h.onlyCode()).isEqualTo(0x21);
    assertThat(h.halts).hasValue(0);
    assertThat(h.storage.keyCount()).isEqualTo(1);
    assertThat(h.stats.notPermitted.sum()).isEqualTo(2);
  }

  @Test
  void shutdownRepliesThenHalts() {
    Harness h = harness(16, 64);
    h.receive(RequestEncoder.encode(id(), Command.SHUTDOWN, null, null), CLIENT);
    assertThat(h.onlyCode()).isZero();
    assertThat(h.halts).hasValue(1);
  }

  @Test
  void pidMembershipCountAndMemberPagesComeFromTheProtocolEncoder() {
    Harness h = harness(16, 64);
    h.receive(RequestEncoder.encode(id(), Command.GET_PID, null, null), CLIENT);
    byte[] pid = h.replies().get(0);
    assertThat(ByteBuffer.wrap(pid, 17, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(1234);
    h.receive(RequestEncoder.encode(id(), Command.LIST_MEMBERS, null, new byte[] {1, 0, 0, 0}), CLIENT);
    byte[] page = h.replies().get(0);
    assertThat(page[16]).isZero();
    // The page of docs/PROTOCOL.md: total, count, then one member from index 1 on.
    ByteBuffer body = ByteBuffer.wrap(page, 17, page.length - 17).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    assertThat(body.getInt()).as("total").isEqualTo(2);
    assertThat(body.getShort()).as("count").isEqualTo((short) 1);
    assertThat(body.get()).as("state: suspect").isEqualTo((byte) 1);
    assertThat(body.getLong()).as("incarnation").isEqualTo(9);
    byte[] memberId = new byte[body.get()];
    body.get(memberId);
    assertThat(new String(memberId, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("node-b");
    byte[] ip = new byte[body.get()];
    body.get(ip);
    assertThat(ip).isEqualTo(REMOTE.getAddress().getAddress());
    assertThat(body.getShort() & 0xFFFF).isEqualTo(REMOTE.getPort());
    // then the trailer: flags (not insecure), internal frames rejected so far
    assertThat(body.get()).as("flags").isZero();
    assertThat(body.getLong()).as("rejected internal frames").isZero();
    assertThat(body.hasRemaining()).isFalse();
  }

  @Test
  void errorRepliesAreRateLimitedPerSource() {
    Harness h = harness(16, 64);
    byte[] bad = new byte[17];
    bad[16] = 0x1F;
    for (int i = 0; i < 500; i++) {
      h.receive(bad, CLIENT);
    }
    assertThat(h.replies()).as("the burst, no refill while time stands still").hasSize(100);
    assertThat(h.stats.errorRepliesSuppressed.sum()).isEqualTo(400);
    clock.advance(100);
    for (int i = 0; i < 50; i++) {
      h.receive(bad, CLIENT);
    }
    assertThat(h.replies()).as("100 per second refill").hasSize(10);
    for (int port = 1024; port < 1524; port++) {
      h.receive(bad, new InetSocketAddress(CLIENT.getAddress(), port));
    }
    assertThat(h.replies()).as("a source is its address: new ports get nothing more").isEmpty();
    h.receive(bad, REMOTE);
    assertThat(h.replies()).as("another source has its own budget").hasSize(1);
  }

  @Test
  void datagramsClaimingToComeFromTheNodeItselfAreDropped() {
    Harness h = harness(16, 64);
    h.storage.put(key(4), new byte[] {1}, 1);
    h.receive(RequestEncoder.encode(id(), Command.WIPEOUT, null, null), NODE);
    assertThat(h.replies()).isEmpty();
    assertThat(h.stats.selfSourced.sum()).isEqualTo(1);
    assertThat(h.storage.keyCount()).isEqualTo(1);
  }

  @Test
  void tooShortDatagramsAreDroppedAndMalformedOnesRejected() {
    Harness h = harness(16, 64);
    h.receive(new byte[15], CLIENT);
    assertThat(h.replies()).isEmpty();
    assertThat(h.stats.tooShort.sum()).isEqualTo(1);
    byte[] truncatedPut = Arrays.copyOf(RequestEncoder.encode(id(), Command.PUT, key(1), new byte[10]), 55);
    h.receive(truncatedPut, CLIENT);
    assertThat(h.onlyCode()).isEqualTo(0x07);
    assertThat(h.storage.keyCount()).isZero();
  }

  @Test
  void withASecretUnauthenticatedInternalFramesAreDroppedAndClientsStillServed() {
    FrameAuthenticator auth = FrameAuthenticator.withSecret("0123456789abcdef-secret");
    Harness h = new Harness(NODE, 16, 64, auth, LOCAL);
    byte[] frame = new byte[30];
    frame[16] = 0x20;
    frame[17] = 1;
    h.receive(frame, REMOTE);
    h.receive(FrameAuthenticator.withSecret("wrong-secret-0123456789").seal(frame), REMOTE);
    assertThat(h.internalFrames).isEmpty();
    assertThat(h.stats.unauthenticated.sum()).isEqualTo(2);
    h.receive(auth.seal(frame), REMOTE);
    assertThat(h.internalFrames).singleElement().isEqualTo(frame);
    assertThat(h.replies()).as("internal frames are never answered").isEmpty();
    h.receive(RequestEncoder.encode(id(), Command.IS_ALIVE, null, null), REMOTE);
    assertThat(h.onlyCode()).as("client commands need no secret").isZero();
    h.receive(RequestEncoder.encode(id(), Command.LIST_MEMBERS, null, null), CLIENT);
    byte[] page = h.replies().get(0);
    assertThat(ByteBuffer.wrap(page, page.length - 8, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong())
        .as("rejected frames, as the LIST_MEMBERS trailer tells ./kvstore members").isEqualTo(2);
  }

  @Test
  void internalFramesOfAnotherVersionOrOfNoRegisteredTypeAreCountedAndDropped() {
    Harness h = harness(16, 64);
    byte[] frame = new byte[30];
    frame[16] = 0x20;
    frame[17] = 2;
    h.receive(frame, REMOTE);
    assertThat(h.stats.internalMalformed.sum()).isEqualTo(1);
    frame[16] = 0x5A;
    frame[17] = 1;
    h.receive(frame, REMOTE);
    assertThat(h.stats.internalUnhandled.sum()).isEqualTo(1);
    assertThat(h.internalFrames).isEmpty();
    assertThat(h.replies()).isEmpty();
  }

  @Test
  void opsSubmitIsHandedToTheNodeOnceEvenWhereKeysAreOwnedElsewhereAndRefusalsCarryTheReason() {
    Harness h = new Harness(NODE, 16, 64, FrameAuthenticator.none(), OWNED_ELSEWHERE);
    byte[] submit = RequestEncoder.encode(id(), Command.OPS_SUBMIT, key(9), new byte[] {1, 2, 3});
    h.receive(submit, CLIENT);
    h.receive(submit, CLIENT); // a retransmission: answered from the cache, not submitted again
    List<byte[]> replies = h.replies();
    assertThat(replies).hasSize(2).allSatisfy(r -> assertThat(r).hasSize(17).endsWith(0));
    assertThat(h.submitted).singleElement().isEqualTo(new byte[] {1, 2, 3});
    assertThat(h.replicationStats.writes.sum() + h.replicationStats.reads.sum()).isZero(); // not coordinated
    assertThat(h.storage.keyCount()).isZero();

    h.receive(RequestEncoder.encode(id(), Command.OPS_SUBMIT, key(9), new byte[] {0, 7}), CLIENT);
    byte[] reply = h.replies().get(0);
    io.kvstore.protocol.Reply refused = io.kvstore.protocol.Reply.decode(reply, reply.length, Command.OPS_SUBMIT);
    assertThat(refused.code()).isEqualTo(0x21);
    assertThat(new String(refused.value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("untrusted-key");
  }

  // ------------------------------------------------------------------ coordination

  private static final InetSocketAddress OWNER = new InetSocketAddress("127.0.0.2", 4000);
  private static final Ring OWNED_ELSEWHERE = TestReplication.ownedBy(OWNER);

  /** Delivers what each of two pipelines sent to the other, until both are quiet. */
  private static List<byte[]> exchange(Harness coordinator, Harness owner) {
    List<byte[]> toClient = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      coordinator.clock().advance(0);
      boolean moved = false;
      for (Harness from : List.of(coordinator, owner)) {
        Harness to = from == coordinator ? owner : coordinator;
        List<InetSocketAddress> dests = new ArrayList<>(from.sentTo);
        List<byte[]> datagrams = new ArrayList<>(from.sent);
        from.sent.clear();
        from.sentTo.clear();
        for (int i = 0; i < datagrams.size(); i++) {
          moved = true;
          if (dests.get(i).equals(to == owner ? OWNER : NODE)) {
            to.receive(datagrams.get(i), from == coordinator ? NODE : OWNER);
          } else {
            toClient.add(datagrams.get(i));
          }
        }
      }
      if (!moved) {
        break;
      }
    }
    return toClient;
  }

  @Test
  void clientDatagramsFromAMembersAddressAreDroppedUnansweredSoAPeersReplyIsNeverACommand() {
    Harness h = new Harness(NODE, 16, 64, FrameAuthenticator.none(), OWNED_ELSEWHERE);
    h.storage.put(key(4), new byte[] {1}, 1);
    // What the member at OWNER sends when an attacker spoofs requests in our name: its replies,
    // whose code byte sits where a command does (0x04 SHUTDOWN, 0x05 WIPEOUT), and the member's
    // own address is in the default admin-from (loopback).
    byte[] wipeout = Arrays.copyOf(id(), 17);
    wipeout[16] = 0x05;
    byte[] shutdown = Arrays.copyOf(id(), 17);
    shutdown[16] = 0x04;
    h.receive(wipeout, OWNER);
    h.receive(shutdown, OWNER);
    h.receive(RequestEncoder.encode(id(), Command.GET, key(4), null), OWNER);
    h.receive(Arrays.copyOf(id(), 17), OWNER); // 0x00: no such command, would be answered 0x05
    assertThat(h.replies()).isEmpty();
    assertThat(h.stats.memberSourced.sum()).isEqualTo(4);
    assertThat(h.halts.get()).isZero();
    assertThat(h.storage.keyCount()).isEqualTo(1);
    assertThat(h.stats.rejected.sum()).isZero();

    // A client on the member's host, on another port, is a client.
    h.receive(RequestEncoder.encode(id(), Command.IS_ALIVE, null, null),
        new InetSocketAddress(OWNER.getAddress(), 5555));
    assertThat(h.onlyCode()).isZero();
  }

  @Test
  void aKeyReplicatedElsewhereIsCoordinatedAnsweredOnceAndItsRetransmissionsAbsorbed() {
    Harness coordinator = new Harness(NODE, 16, 64, FrameAuthenticator.none(), OWNED_ELSEWHERE);
    Harness owner = new Harness(OWNER, 16, 64, FrameAuthenticator.none(), LOCAL);
    byte[] put = RequestEncoder.encode(id(), Command.PUT, key(9), "v".getBytes());
    coordinator.receive(put, CLIENT);
    coordinator.receive(put, CLIENT); // retransmitted while the replica has not answered yet
    assertThat(coordinator.replicationStats.inFlightRetransmissions.sum()).isEqualTo(1);
    List<byte[]> replies = exchange(coordinator, owner);
    assertThat(replies).singleElement().satisfies(r -> {
      assertThat(Arrays.copyOf(r, 16)).isEqualTo(Arrays.copyOf(put, 16));
      assertThat(r[16]).isZero();
    });
    assertThat(coordinator.storage.keyCount()).isZero();
    assertThat(owner.storage.get(key(9)).value()).isEqualTo("v".getBytes());
    assertThat(owner.replicationStats.replicaWrites.sum()).isEqualTo(1);

    // A retransmission after the answer: the coordinator's reply cache answers, nothing runs again.
    coordinator.receive(put, CLIENT);
    assertThat(exchange(coordinator, owner)).hasSize(1);
    assertThat(owner.replicationStats.replicaWrites.sum()).isEqualTo(1);
    assertThat(coordinator.stats.retransmissions.sum()).isEqualTo(1);

    byte[] get = RequestEncoder.encode(id(), Command.GET, key(9), null);
    coordinator.receive(get, CLIENT);
    assertThat(exchange(coordinator, owner)).singleElement().satisfies(r -> {
      assertThat(r[16]).isZero();
      assertThat(Arrays.copyOfRange(r, 19, r.length)).isEqualTo("v".getBytes());
    });
  }

  @Test
  void aReplicaThatNeverAnswersGives0x22AtTheTimeoutAndTheTableIsBounded() {
    Harness coordinator = new Harness(NODE, 64, 64, FrameAuthenticator.none(), OWNED_ELSEWHERE);
    for (int i = 0; i < 20; i++) {
      coordinator.receive(RequestEncoder.encode(id(), Command.GET, key(i), null), CLIENT);
    }
    List<byte[]> toClient = new ArrayList<>();
    for (int i = 0; i < coordinator.sent.size(); i++) {
      if (!coordinator.sentTo.get(i).equals(OWNER)) {
        toClient.add(coordinator.sent.get(i));
      }
    }
    assertThat(toClient).as("beyond 16 outstanding operations: 0x03").hasSize(4)
        .allSatisfy(r -> assertThat(r[16]).isEqualTo((byte) 0x03));
    coordinator.replies();
    clock.advance(1_200);
    assertThat(coordinator.replies()).as("never 0x01 for a key whose replicas did not answer")
        .hasSize(16).allSatisfy(r -> assertThat(r[16]).isEqualTo((byte) 0x22));
    assertThat(coordinator.replicationStats.readTimeouts.sum()).isEqualTo(16);
    coordinator.receive(RequestEncoder.encode(id(), Command.GET, key(1), null), CLIENT);
    assertThat(coordinator.sentTo).as("room again after the timeout").containsExactly(OWNER);
  }

  @Test
  void malformedReplicaFramesAreCountedAndChangeNothing() {
    Harness owner = new Harness(OWNER, 16, 64, FrameAuthenticator.none(), LOCAL);
    owner.storage.put(key(1), new byte[] {1}, 1);
    byte[] truncated = Arrays.copyOf(
        ReplicaFrames.write(5, 0, key(1), VersionedRecord.live(99, new byte[] {2}), false), 40);
    owner.receive(truncated, NODE);
    byte[] tombstoneWithValue =
        ReplicaFrames.write(5, 0, key(1), VersionedRecord.live(99, new byte[] {2}), false);
    tombstoneWithValue[18 + 32] = 1; // tombstone flag on a record that has a value
    owner.receive(tombstoneWithValue, NODE);
    assertThat(owner.replies()).isEmpty();
    assertThat(owner.replicationStats.malformed.sum()).isEqualTo(2);
    assertThat(owner.storage.get(key(1)).value()).containsExactly(1);
  }
}
