package io.kvstore.node.replication;

import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The node's coordinators (one per event loop) and its hinted handoff, by index. A replica's
 * answer may arrive on any of the node's sockets; the top byte of the operation number names the
 * handler, which gets the answer on its own thread. Thread-safe.
 */
public final class CoordinatorRegistry {
  private record Entry(AnswerHandler handler, Executor loop) {}

  private final AtomicReferenceArray<Entry> entries = new AtomicReferenceArray<>(256);
  private final ReplicationStats stats;
  private int next;

  public CoordinatorRegistry(ReplicationStats stats) {
    this.stats = stats;
  }

  /** The index the next handler gets (0-255). */
  public synchronized int nextIndex() {
    if (next > 255) {
      throw new IllegalStateException("at most 256 event loops coordinate");
    }
    return next++;
  }

  /** Makes the answers to operations numbered under {@code index} go to {@code handler}, on {@code loop}. */
  public void register(int index, AnswerHandler handler, Executor loop) {
    entries.set(index, new Entry(handler, loop));
  }

  /** A WRITE_ACK or READ_REPLY arrived on any loop: hand it to its coordinator's loop. */
  public void deliver(InetSocketAddress from, byte[] frame, int type) {
    if (frame.length < ReplicaFrames.MIN_FRAME) {
      stats.malformed.increment();
      return;
    }
    Entry e = entries.get(OperationNumbers.indexOf(ReplicaFrames.operation(frame)));
    if (e == null) {
      stats.lateAnswers.increment();
      return;
    }
    e.loop().execute(() -> e.handler().onAnswer(from, frame, type));
  }
}
