package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.RequestEncoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The request pipeline's own stages: the at-most-once reply cache, the bounded queue and its
 * drains, admin commands, and the answers the node composes itself.
 */
class RequestPipelineTest extends PipelineHarness {
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
}
