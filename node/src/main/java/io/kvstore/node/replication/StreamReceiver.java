package io.kvstore.node.replication;

import io.kvstore.node.replication.ReplicaFrames.Ack;

/**
 * Applies streamed batches on whichever event loop received them: each record through
 * {@link Replica#apply}, the same rule as any replica write (only a newer version replaces what is
 * stored), so a batch resent after a lost ack, or one older than a client's write, changes nothing.
 * Thread-safe.
 */
public final class StreamReceiver {
  private final Replica replica;
  private final RebalanceStats stats;

  public StreamReceiver(Replica replica, RebalanceStats stats) {
    this.replica = replica;
    this.stats = stats;
  }

  /**
   * The ACK to send back for a BATCH frame.
   *
   * @throws ReplicaFrames.MalformedFrameException if it does not decode (nothing is applied)
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
    stats.recordsReceived.add(applied);
    stats.recordsStale.add(stale);
    stats.recordsRefused.add(refused);
    return RangeStreamFrames.ack(
        new RangeStreamFrames.Ack(batch.pass(), batch.number(), applied, stale, refused));
  }
}
