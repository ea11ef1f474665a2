package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Update;

/**
 * An update in a {@link BroadcastQueue}: in the {@link QueuedRun} of its transmit count, and a link
 * of the chained table that finds it by member. 40 bytes.
 */
final class QueuedUpdate {
  final Update update;
  /** When it was queued: a run keeps the newest (largest) first. Unique per queue. */
  final long order;
  final int size;
  /** {@link MemberIndex#hash} of the member's id. */
  final int hash;
  int transmits;
  /** The next entry in the same bucket of the by-member table. */
  QueuedUpdate nextInBucket;

  QueuedUpdate(Update update, long order) {
    this.update = update;
    this.order = order;
    this.size = SwimCodec.size(update);
    this.hash = MemberIndex.hash(update.id());
  }
}
