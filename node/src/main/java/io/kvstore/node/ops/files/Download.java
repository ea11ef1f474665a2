package io.kvstore.node.ops.files;

import io.kvstore.node.runtime.Network;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The fetching of one file operation's chunks on one node: first the chunk-hash list (checked
 * against the manifest), then every missing chunk in a random order of its own (so peers hold
 * different chunks early and serve each other), each checked against the list before it is
 * stored. A chunk nobody had goes back in line for later; a chunk that fails its hash is fetched
 * again from peers that did not send it (they are suspects for the rest of this operation). Runs
 * on the transfer thread.
 */
final class Download {
  /** What a fetch it just handled asks of the owner. */
  enum Outcome { NONE, SLOT_FREED }

  private record Wanted(int index, long notBeforeNanos) {}

  final FileOp op;
  private final FileTransferConfig config;
  private final ChunkStore store;
  private final Network network;
  private final RandomGenerator random;
  private final Supplier<List<InetSocketAddress>> peers;
  private final FileTransferStats stats;
  private final ArrayDeque<Wanted> line = new ArrayDeque<>();
  private final Map<Integer, ChunkFetch> active = new HashMap<>();
  private final Set<InetSocketAddress> suspects = new HashSet<>();
  /**
   * Chunks for which only a deferring peer (the origin) had been found: the next attempt may ask
   * it as the last resort. The first time, the chunk waits: by then other peers usually have it.
   */
  private final Set<Integer> deferredOnce = new HashSet<>();

  Download(FileOp op, FileTransferConfig config, ChunkStore store, Network network, RandomGenerator random,
      Supplier<List<InetSocketAddress>> peers, FileTransferStats stats) {
    this.op = op;
    this.config = config;
    this.store = store;
    this.network = network;
    this.random = random;
    this.peers = peers;
    this.stats = stats;
    if (store.has(op.id, FileFrames.LIST)) {
      lineUpChunks();
    } else {
      line.add(new Wanted(FileFrames.LIST, Long.MIN_VALUE));
    }
  }

  int activeFetches() {
    return active.size();
  }

  /** Every chunk is held: the file can be assembled. */
  boolean complete() {
    return op.chunkHashes() != null && store.heldCount(op.id) == op.manifest.chunkCount();
  }

  /** Starts the next fetch that is due, if any; true if one started. */
  boolean startNext(long nowNanos) {
    for (int i = line.size(); i > 0; i--) {
      Wanted w = line.poll();
      if (store.has(op.id, w.index) || active.containsKey(w.index)) {
        continue; // arrived meanwhile (an upload at the origin, a duplicate entry)
      }
      if (w.notBeforeNanos > nowNanos) {
        line.add(w);
        continue;
      }
      ChunkFetch fetch = new ChunkFetch(w.index, op.lengthOf(w.index), FileFrames.MAX_PIECE, candidates(),
          deferredOnce.contains(w.index));
      if (!fetch.nextPeer()) {
        line.add(new Wanted(w.index, nowNanos + config.retryMillis() * 1_000_000));
        return false; // no peer at all yet
      }
      active.put(w.index, fetch);
      request(fetch, nowNanos);
      return true;
    }
    return false;
  }

  /** Live members but suspects, shuffled, at most {@code peersPerAttempt}. */
  private List<InetSocketAddress> candidates() {
    List<InetSocketAddress> all = new ArrayList<>(peers.get());
    if (!suspects.isEmpty() && all.stream().anyMatch(p -> !suspects.contains(p))) {
      all.removeAll(suspects); // if every peer is a suspect, ask them anyway rather than stall
    }
    for (int i = all.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      InetSocketAddress t = all.get(i);
      all.set(i, all.get(j));
      all.set(j, t);
    }
    return new ArrayList<>(all.subList(0, Math.min(all.size(), config.peersPerAttempt())));
  }

  private void request(ChunkFetch fetch, long nowNanos) {
    for (int p : fetch.toRequest(config.piecesInFlight())) {
      send(fetch, p, nowNanos);
    }
  }

  private void send(ChunkFetch fetch, int piece, long nowNanos) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    network.send(fetch.peer(), FileFrames.want(id, op.id, fetch.index, fetch.offsetOf(piece),
        fetch.lengthOf(piece), fetch.lastResort()));
    fetch.sent(piece, nowNanos);
  }

  Outcome onPiece(InetSocketAddress from, FileFrames.Piece piece, long nowNanos) throws IOException {
    ChunkFetch fetch = active.get(piece.chunk());
    if (fetch == null) {
      stats.piecesUnsolicited.increment();
      return Outcome.NONE;
    }
    if (piece.status() != FileFrames.DATA) {
      if (fetch.onRefusal(from, piece.status() == FileFrames.DEFER) == ChunkFetch.Next.GIVE_UP) {
        return giveUp(fetch, nowNanos);
      }
      request(fetch, nowNanos);
      return Outcome.NONE;
    }
    if (!fetch.onData(from, piece.offset(), piece.data())) {
      stats.piecesUnsolicited.increment();
      return Outcome.NONE;
    }
    stats.bytesFetched.add(piece.data().length);
    if (!fetch.complete()) {
      request(fetch, nowNanos);
      return Outcome.NONE;
    }
    active.remove(fetch.index);
    if (!op.verifies(fetch.index, fetch.buffer, fetch.length)) {
      stats.chunksRejected.increment();
      suspects.addAll(fetch.contributors);
      line.addFirst(new Wanted(fetch.index, Long.MIN_VALUE)); // again at once, from others
      return Outcome.SLOT_FREED;
    }
    if (!store.put(op.id, fetch.index, fetch.buffer, fetch.length)) {
      stats.storeFull.increment();
      line.add(new Wanted(fetch.index, nowNanos + config.retryMillis() * 1_000_000));
      return Outcome.SLOT_FREED;
    }
    deferredOnce.remove(fetch.index);
    if (fetch.index == FileFrames.LIST) {
      op.chunkHashes(fetch.buffer);
      lineUpChunks();
    } else {
      stats.chunksVerified.increment();
    }
    return Outcome.SLOT_FREED;
  }

  /** Resends what timed out; a fetch with no peer left goes back in line. */
  Outcome onTick(long nowNanos) {
    Outcome outcome = Outcome.NONE;
    List<Integer> resend = new ArrayList<>();
    for (ChunkFetch fetch : List.copyOf(active.values())) {
      resend.clear();
      ChunkFetch.Next next = fetch.onTick(nowNanos, config.pieceTimeoutMillis() * 1_000_000,
          config.timeoutsBeforeSwitch(), resend);
      if (next == ChunkFetch.Next.GIVE_UP) {
        outcome = giveUp(fetch, nowNanos);
        continue;
      }
      for (int p : resend) {
        stats.piecesResent.increment();
        send(fetch, p, nowNanos);
      }
      request(fetch, nowNanos);
    }
    return outcome;
  }

  private Outcome giveUp(ChunkFetch fetch, long nowNanos) {
    active.remove(fetch.index);
    if (fetch.sawDeferral()) {
      deferredOnce.add(fetch.index);
    }
    line.add(new Wanted(fetch.index, nowNanos + config.retryMillis() * 1_000_000));
    return Outcome.SLOT_FREED;
  }

  /** The list is verified: every chunk not held yet, in a random order of this node's own. */
  private void lineUpChunks() {
    if (op.chunkHashes() == null) {
      try {
        byte[] list = new byte[op.manifest.listLength()];
        store.read(op.id, FileFrames.LIST, 0, list, list.length);
        op.chunkHashes(list);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    int n = op.manifest.chunkCount();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (int i : order) {
      if (!store.has(op.id, i)) {
        line.add(new Wanted(i, Long.MIN_VALUE));
      }
    }
  }
}
