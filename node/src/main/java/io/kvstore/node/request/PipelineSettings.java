package io.kvstore.node.request;

import io.kvstore.node.sources.SourceAllowList;

/**
 * Tuning of the request pipeline (one per event loop).
 *
 * @param queueCapacity requests a pipeline may hold before answering 0x03 (system overload)
 * @param batchSize requests executed per batch (a read batch, or a drain of the queue) before the
 *     pipeline lets its loop read again
 * @param replyRetentionMillis how long replies must stay cached (5 s by protocol)
 * @param errorRepliesPerSecond error replies allowed per source and second
 * @param adminAllowList who may send SHUTDOWN and WIPEOUT
 * @param syncWrites fsync writes before acknowledging them (one fsync per batch)
 * @param maxQueueMillis how long a request may wait in the queue: older ones are answered 0x03
 *     unexecuted, so that service is back to normal this soon after a burst however slowly the
 *     queue would have drained (and the client has likely retried already)
 */
public record PipelineSettings(
    int queueCapacity,
    int batchSize,
    long replyRetentionMillis,
    double errorRepliesPerSecond,
    SourceAllowList adminAllowList,
    boolean syncWrites,
    long maxQueueMillis) {

  /** Bytes of queued request data a pipeline may hold: about 1 KiB per queue slot. */
  public int queueBytes() {
    return (int) Math.min(64L << 20, Math.max(64 * 1024, queueCapacity * 1024L));
  }
}
