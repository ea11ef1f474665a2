package io.kvstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.node.runtime.SystemClock;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.RequestEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request pipeline on an embedded channel: deterministic, no sockets. */
class RequestHandlerTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5555);
  private static final InetSocketAddress REMOTE = new InetSocketAddress("10.0.0.5", 5555);
  private static final InetSocketAddress NODE = new InetSocketAddress("127.0.0.1", 4000);

  private final Random random = new Random(7);
  private final MemoryStorageEngine storage = new MemoryStorageEngine(StorageLimits.UNLIMITED);
  private final TransportStats stats = new TransportStats();
  private final AtomicInteger halts = new AtomicInteger();
  private EmbeddedChannel channel;

  private final java.util.List<byte[]> internalFrames = new ArrayList<>();

  private EmbeddedChannel channel(int queueCapacity, int batchSize) {
    return channel(queueCapacity, batchSize, FrameAuthenticator.none());
  }

  private EmbeddedChannel channel(int queueCapacity, int batchSize, FrameAuthenticator auth) {
    TransportSettings settings =
        new TransportSettings(
            NODE, 1, queueCapacity, batchSize, 1 << 20, 5_000, 100,
            new SourceAllowList(SourceAllowList.DEFAULT), false);
    KeyValueService service =
        new KeyValueService(storage, new HybridLogicalClock(SystemClock.INSTANCE), DiskSpaceGuard.none());
    NodeControl control =
        new NodeControl() {
          @Override
          public int pid() {
            return 1234;
          }

          @Override
          public int liveMembers() {
            return 1;
          }

          @Override
          public byte[] membersPage(int start, int maxBytes) {
            return new byte[6];
          }

          @Override
          public void haltNow() {
            halts.incrementAndGet();
          }
        };
    channel =
        new EmbeddedChannel(
            new RequestHandler(
                new TransportWiring(
                    service, control, KeyRouter.LOCAL,
                    (frame, sender) -> internalFrames.add(frame), auth),
                settings, stats,
                new ReplyCache(1 << 20, 5_000), new Forwarder(16, 1_000)));
    return channel;
  }

  @AfterEach
  void close() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
  }

  private byte[] id() {
    byte[] id = new byte[16];
    random.nextBytes(id);
    return id;
  }

  private static byte[] key(int i) {
    byte[] k = new byte[32];
    k[0] = (byte) i;
    return k;
  }

  private void send(byte[] datagram, InetSocketAddress from) {
    channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(datagram), NODE, from));
  }

  private List<byte[]> replies() {
    channel.runPendingTasks();
    List<byte[]> out = new ArrayList<>();
    DatagramPacket p;
    while ((p = channel.readOutbound()) != null) {
      out.add(ByteBufUtil.getBytes(p.content()));
      p.release();
    }
    return out;
  }

  private int onlyCode() {
    List<byte[]> r = replies();
    assertThat(r).hasSize(1);
    return r.get(0)[16];
  }

  @Test
  void retransmissionIsAnsweredFromTheCacheWithoutExecuting() {
    channel(16, 64);
    byte[] put = RequestEncoder.encode(id(), Command.PUT, key(1), "a".getBytes());
    send(put, CLIENT);
    assertThat(onlyCode()).isZero();
    send(RequestEncoder.encode(id(), Command.PUT, key(1), "b".getBytes()), CLIENT);
    assertThat(onlyCode()).isZero();
    send(put, CLIENT);
    assertThat(onlyCode()).isZero();
    assertThat(stats.retransmissions.sum()).isEqualTo(1);
    assertThat(storage.get(key(1)).value()).isEqualTo("b".getBytes());
  }

  @Test
  void theSameIdFromAnotherSourceIsADifferentRequest() {
    channel(16, 64);
    byte[] remove = RequestEncoder.encode(id(), Command.REMOVE, key(2), null);
    storage.put(key(2), new byte[] {1}, 1);
    send(remove, CLIENT);
    assertThat(onlyCode()).isZero();
    send(remove, new InetSocketAddress("127.0.0.2", 5555));
    assertThat(onlyCode()).isEqualTo(0x01);
  }

  @Test
  void requestsBeyondTheQueueAreAnsweredOverloadAndNotExecuted() {
    channel(4, 2);
    // Seven arrive in one read: 2 run inline, 4 queue, the seventh is shed. (EmbeddedChannel
    // runs pending tasks when a reply is written, so stop at the first shed request.)
    for (int i = 0; i < 7; i++) {
      channel
          .pipeline()
          .fireChannelRead(
              new DatagramPacket(
                  Unpooled.wrappedBuffer(
                      RequestEncoder.encode(id(), Command.PUT, key(i), new byte[] {1})),
                  NODE,
                  CLIENT));
    }
    channel.pipeline().fireChannelReadComplete();
    List<byte[]> r = replies();
    assertThat(r).hasSize(7);
    long overloaded = r.stream().filter(b -> b[16] == 0x03).count();
    assertThat(overloaded).isEqualTo(1);
    assertThat(storage.keyCount()).as("the shed request changed nothing").isEqualTo(6);
    assertThat(storage.get(key(6))).isNull();
    assertThat(stats.overloaded.sum()).isEqualTo(1);
  }

  @Test
  void adminCommandsFromOutsideTheAllowListAreNotPermitted() {
    channel(16, 64);
    storage.put(key(3), new byte[] {1}, 1);
    send(RequestEncoder.encode(id(), Command.WIPEOUT, null, null), REMOTE);
    assertThat(onlyCode()).isEqualTo(0x21);
    send(RequestEncoder.encode(id(), Command.SHUTDOWN, null, null), REMOTE);
    assertThat(onlyCode()).isEqualTo(0x21);
    assertThat(halts).hasValue(0);
    assertThat(storage.keyCount()).isEqualTo(1);
  }

  @Test
  void shutdownRepliesThenHalts() {
    channel(16, 64);
    send(RequestEncoder.encode(id(), Command.SHUTDOWN, null, null), CLIENT);
    assertThat(onlyCode()).isZero();
    assertThat(halts).hasValue(1);
  }

  @Test
  void errorRepliesAreRateLimitedPerSource() {
    channel(16, 64);
    byte[] bad = new byte[17];
    bad[16] = 0x1F;
    for (int i = 0; i < 500; i++) {
      send(bad, CLIENT);
    }
    List<byte[]> r = replies();
    assertThat(r.size()).isBetween(100, 110);
    assertThat(stats.errorRepliesSuppressed.sum()).isEqualTo(500 - r.size());
  }

  @Test
  void datagramsClaimingToComeFromTheNodeItselfAreDropped() {
    channel(16, 64);
    ByteBuf buf = Unpooled.wrappedBuffer(RequestEncoder.encode(id(), Command.WIPEOUT, null, null));
    storage.put(key(4), new byte[] {1}, 1);
    channel.writeInbound(new DatagramPacket(buf, NODE, NODE));
    assertThat(replies()).isEmpty();
    assertThat(stats.selfSourced.sum()).isEqualTo(1);
    assertThat(storage.keyCount()).isEqualTo(1);
  }

  @Test
  void withASecretUnauthenticatedInternalFramesAreDroppedAndClientsStillServed() {
    FrameAuthenticator auth = FrameAuthenticator.withSecret("0123456789abcdef-secret");
    channel(16, 64, auth);
    byte[] frame = new byte[30];
    frame[16] = 0x20;
    frame[17] = 1;
    send(frame, REMOTE);
    send(FrameAuthenticator.withSecret("wrong-secret-0123456789").seal(frame), REMOTE);
    assertThat(internalFrames).isEmpty();
    assertThat(stats.unauthenticated.sum()).isEqualTo(2);
    send(auth.seal(frame), REMOTE);
    assertThat(internalFrames).hasSize(1);
    assertThat(internalFrames.get(0)).isEqualTo(frame);
    assertThat(replies()).as("internal frames are never answered").isEmpty();
    send(RequestEncoder.encode(id(), Command.IS_ALIVE, null, null), REMOTE);
    assertThat(onlyCode()).as("client commands need no secret").isZero();
  }
}
