package io.kvstore.client;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.RequestId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A request waiting for its reply. The encoded bytes are kept so every retry resends them as-is.
 */
final class PendingRequest {
  final RequestId id;
  final Command command;
  final byte[] datagram;
  final long firstSentNanos;
  final CompletableFuture<KvResult> future = new CompletableFuture<>();
  volatile ScheduledFuture<?> timeout;

  PendingRequest(RequestId id, Command command, byte[] datagram, long firstSentNanos) {
    this.id = id;
    this.command = command;
    this.datagram = datagram;
    this.firstSentNanos = firstSentNanos;
  }
}
