package io.kvstore.node.ops.files;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving side of file transfers: answers a CHUNK_WANT with the piece of a verified chunk this
 * node holds, NOT_HAVE, or — at the origin, for a chunk it already serves to another peer — DEFER, so
 * that peers fetch from each other and the origin uploads each chunk about once. Only members are
 * answered; the bytes served per second are bounded (a want beyond the budget is not answered: the
 * requester asks again). A piece is never longer than the want asked for, and an answer without
 * data is 4 bytes longer than the want: no amplification. Runs on the transfer thread.
 */
final class ChunkServer {
  private static final Logger log = LoggerFactory.getLogger(ChunkServer.class);

  private final Function<FileOpId, FileOp> ops;
  private final ChunkStore store;
  private final Network network;
  private final Clock clock;
  private final Predicate<InetSocketAddress> isMember;
  private final FileTransferStats stats;
  private final long bytesPerSecond;
  private final byte[] piece = new byte[FileFrames.MAX_PIECE];
  /**
   * At the origin, per operation and chunk, the first peer it served the chunk to: every other
   * peer is deferred (asked to fetch it from the peers that have it by then), unless it asks as
   * the last resort.
   */
  private final Map<FileOpId, Map<Integer, InetSocketAddress>> firstTaker = new HashMap<>();
  private double tokens;
  private long refilledAt;

  ChunkServer(Function<FileOpId, FileOp> ops, ChunkStore store, Network network, Clock clock,
      Predicate<InetSocketAddress> isMember, FileTransferStats stats, long bytesPerSecond) {
    this.ops = ops;
    this.store = store;
    this.network = network;
    this.clock = clock;
    this.isMember = isMember;
    this.stats = stats;
    this.bytesPerSecond = bytesPerSecond;
    this.tokens = FileFrames.MAX_PIECE;
    this.refilledAt = clock.nanoTime();
  }

  void onWant(InetSocketAddress from, byte[] frame) {
    if (!isMember.test(from)) {
      stats.framesFromNonMembers.increment();
      return;
    }
    FileFrames.Want want;
    try {
      want = FileFrames.decodeWant(frame);
    } catch (FileFrames.MalformedFileFrameException e) {
      stats.framesMalformed.increment();
      return;
    }
    FileOp op = ops.apply(want.op());
    if (op == null || !store.has(want.op(), want.chunk())) {
      answer(from, want, FileFrames.NOT_HAVE, op);
      return;
    }
    if (want.chunk() >= op.manifest.chunkCount()) {
      stats.framesMalformed.increment();
      return;
    }
    int length = op.lengthOf(want.chunk());
    if (want.offset() >= length) {
      stats.framesMalformed.increment();
      return;
    }
    if (op.origin() && !want.lastResort() && want.chunk() != FileFrames.LIST) {
      InetSocketAddress first = firstTaker.computeIfAbsent(want.op(), k -> new HashMap<>())
          .putIfAbsent(want.chunk(), from);
      if (first != null && !first.equals(from)) {
        stats.deferAnswers.increment();
        answer(from, want, FileFrames.DEFER, op);
        return;
      }
    }
    int n = Math.min(want.length(), length - want.offset());
    if (!take(n)) {
      stats.servingThrottled.increment();
      return;
    }
    try {
      store.read(want.op(), want.chunk(), want.offset(), piece, n);
    } catch (IOException e) {
      log.warn("cannot read chunk {} of {}: {}", want.chunk(), want.op(), e.toString());
      answer(from, want, FileFrames.NOT_HAVE, op);
      return;
    }
    network.send(from, FileFrames.piece(want.id(), want.op(), want.chunk(), want.offset(),
        FileFrames.DATA, store.heldCount(want.op()), piece, n));
    stats.bytesServed.add(n);
  }

  private void answer(InetSocketAddress from, FileFrames.Want want, int status, FileOp op) {
    if (status == FileFrames.NOT_HAVE) {
      stats.notHaveAnswers.increment();
    }
    network.send(from, FileFrames.piece(want.id(), want.op(), want.chunk(), want.offset(), status,
        op == null ? 0 : store.heldCount(want.op()), piece, 0));
  }

  /** The operation is gone: forget what was served of it. */
  void forget(FileOpId op) {
    firstTaker.remove(op);
  }

  /** A token bucket of bytes, one piece of burst beyond a tenth of a second's worth. */
  private boolean take(int bytes) {
    long now = clock.nanoTime();
    double burst = Math.max(FileFrames.MAX_PIECE, bytesPerSecond / 10.0);
    tokens = Math.min(burst, tokens + (now - refilledAt) * (bytesPerSecond / 1e9));
    refilledAt = now;
    if (tokens < bytes) {
      return false;
    }
    tokens -= bytes;
    return true;
  }
}
