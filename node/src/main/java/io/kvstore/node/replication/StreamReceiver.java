package io.kvstore.node.replication;

import io.kvstore.node.replication.ReplicaFrames.Ack;

/**
 * Applies streamed batches on whichever event loop received them: each record through
 * {@link Replica#apply}, the same rule as any replica write (only a newer version replaces what is
 * stored), so a batch resent after a lost ack, or one older than a client's write, changes nothing.
 * The batch is made durable before its ACK is returned: the ACK leaves by the node's network port
 * at once, not with the pipeline's replies, and the sender forgets what was acknowledged.
 * Thread-safe.
 */
public final class StreamReceiver {
  private final Replica replica;
  private final RebalanceStats stats;
  private final Runnable makeDurable;

  /**
   * @param makeDurable makes the writes so far as durable as the node promises before an ACK
   *     (the storage's {@code flushWal}, or {@code sync} with {@code --sync})
   */
  public StreamReceiver(Replica replica, RebalanceStats stats, Runnable makeDurable) {
    this.replica = replica;
    this.stats = stats;
    this.makeDurable = makeDurable;
  }

  /**
   * The ACK to send back for a BATCH frame.
   *
   * @throws ReplicaFrames.MalformedFrameException if it does not decode (nothing is applied)
   * @throws io.kvstore.node.storage.StorageException if the batch could not be made durable (no
   *     ACK: the sender sends it again)
   */
  public byte[] onBatch(byte[] frame) {
    RangeStreamFrames.Batch batch = RangeStreamFrames.decodeBatch(frame);
    int applied = 0;
    int stale = 0;
    int refused = 0;
    for (RangeStreamFrames.Entry e : batch.entries()) {
      Ack ack = replica.apply(0, 0, e.key(), e.record());
      switch (ack.result()) {
        case APPLIED -> applied++;
        case STALE -> stale++;
        case FULL, REFUSED -> refused++;
      }
    }
    makeDurable.run();
    stats.recordsReceived.add(applied);
    stats.recordsStale.add(stale);
    stats.recordsRefused.add(refused);
    return RangeStreamFrames.ack(
        new RangeStreamFrames.Ack(batch.pass(), batch.number(), applied, stale, refused));
  }
}
