package io.kvstore.node.request;

import io.kvstore.node.replication.Replica;
import io.kvstore.node.replication.ReplicaFrames;
import io.kvstore.node.replication.ReplicationStats;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.sources.ClientSources;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The replica side of a pipeline: answers a coordinator's WRITE or READ at once (the answer leaves
 * with the batch, after its group commit). A replica write runs at most once too: a duplicated
 * WRITE frame gets the ack the first copy got, from the pipeline's reply cache (keyed by the
 * coordinator's address and the operation and attempt in the frame's id), so the coordinator
 * learns, say, that a REMOVE found a live value even when the first ack was lost. Single-threaded,
 * like its pipeline.
 */
final class ReplicaAnswers {
  /** Where answers go: sealed with the cluster secret by the pipeline. */
  interface Sender {
    void sendInternal(InetSocketAddress to, byte[] frame);
  }

  private final Replica replica;
  private final ReplyCache replyCache;
  private final Clock clock;
  private final CommandExecutor executor;
  private final ClientSources sources;
  private final boolean authenticated;
  private final ReplicationStats stats;
  private final Sender sender;

  ReplicaAnswers(Replica replica, ReplyCache replyCache, Clock clock, CommandExecutor executor,
      ClientSources sources, boolean authenticated, ReplicationStats stats, Sender sender) {
    this.replica = replica;
    this.replyCache = replyCache;
    this.clock = clock;
    this.executor = executor;
    this.sources = sources;
    this.authenticated = authenticated;
    this.stats = stats;
    this.sender = sender;
  }

  void onWrite(InetSocketAddress from, byte[] frame) {
    answer(from, frame, true);
  }

  void onRead(InetSocketAddress from, byte[] frame) {
    answer(from, frame, false);
  }

  private void answer(InetSocketAddress from, byte[] frame, boolean write) {
    byte[] answer;
    try {
      answer = write ? applyOnce(from, frame) : replica.onReadFrame(frame);
    } catch (ReplicaFrames.MalformedFrameException e) {
      stats.malformed.increment();
      return;
    }
    // Without a cluster secret the sender may be forged: a large answer is charged to the address
    // it goes to, as a client reply would be, and not sent if that address's budget is spent.
    if (authenticated || sources.mayReply(from.getAddress(), frame.length, answer.length)) {
      sender.sendInternal(from, answer);
    }
  }

  private byte[] applyOnce(InetSocketAddress from, byte[] frame) {
    ByteBuffer f = ByteBuffer.wrap(frame);
    long source = ReplyCache.sourceKey(from);
    long idHi = f.getLong(0);
    long idLo = f.getLong(8);
    long fingerprint = RequestFingerprint.of(f, 0, frame.length);
    int handle = replyCache.find(source, idHi, idLo, fingerprint);
    if (handle >= 0) {
      stats.duplicateWrites.increment();
      byte[] again = new byte[replyCache.replySize(handle)];
      replyCache.copyReply(handle, f, 0, ByteBuffer.wrap(again));
      return again;
    }
    executor.writesToSync(); // the ack leaves after the batch's group commit
    byte[] ack = replica.onWriteFrame(frame);
    replyCache.insert(source, idHi, idLo, fingerprint, ByteBuffer.wrap(ack), clock.nanoTime() / 1_000_000);
    return ack;
  }
}
