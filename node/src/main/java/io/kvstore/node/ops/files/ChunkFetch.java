package io.kvstore.node.ops.files;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fetching one chunk (or the chunk-hash list) from peers, piece by piece: a window of wants in
 * flight to the current peer, a resend after a timeout, another peer after NOT_HAVE, DEFER or
 * repeated timeouts, and a last-resort ask of a peer that deferred once no other has the chunk.
 * Holds one buffer of the chunk's size. Pure state: {@link Download} sends what it decides.
 */
final class ChunkFetch {
  /** What the fetch needs next from its owner. */
  enum Next { CONTINUE, COMPLETE, GIVE_UP }

  final int index;
  final int length;
  final byte[] buffer;
  private final int pieceSize;
  private final BitSet received;
  private final int pieces;
  private final List<InetSocketAddress> candidates;
  private int candidate = -1;
  private final List<InetSocketAddress> deferrers = new ArrayList<>();
  private boolean lastResort;
  /** Whether a deferring peer may be asked as the last resort in this attempt. */
  private final boolean lastResortAllowed;
  /** Outstanding pieces by number: when the want was sent (monotonic ns), to the current peer. */
  private final Map<Integer, Long> outstanding = new HashMap<>();
  private int nextPiece;
  private int timeoutsWithPeer;
  final Set<InetSocketAddress> contributors = new HashSet<>();

  ChunkFetch(int index, int length, int pieceSize, List<InetSocketAddress> candidates,
      boolean lastResortAllowed) {
    this.index = index;
    this.lastResortAllowed = lastResortAllowed;
    this.length = length;
    this.pieceSize = pieceSize;
    this.buffer = new byte[length];
    this.pieces = (length + pieceSize - 1) / pieceSize;
    this.received = new BitSet(pieces);
    this.candidates = candidates;
  }

  /** Moves to the next peer; false if none is left (then the owner gives up for now). */
  boolean nextPeer() {
    outstanding.clear();
    timeoutsWithPeer = 0;
    if (candidate + 1 < candidates.size()) {
      candidate++;
      return true;
    }
    if (!lastResort && lastResortAllowed && !deferrers.isEmpty()) {
      // Everyone else lacks it: the deferring peer (the origin) serves it after all.
      lastResort = true;
      candidates.clear();
      candidates.addAll(deferrers);
      candidate = 0;
      return true;
    }
    return false;
  }

  InetSocketAddress peer() {
    return candidates.get(candidate);
  }

  boolean lastResort() {
    return lastResort;
  }

  /** Whether a peer deferred in this attempt (it has the chunk). */
  boolean sawDeferral() {
    return !deferrers.isEmpty();
  }

  /** Piece numbers to ask for now: missing, not outstanding, up to {@code window} outstanding. */
  List<Integer> toRequest(int window) {
    List<Integer> out = new ArrayList<>();
    while (outstanding.size() + out.size() < window && nextPiece < pieces) {
      int p = nextPiece++;
      if (!received.get(p) && !outstanding.containsKey(p)) {
        out.add(p);
      }
    }
    if (out.isEmpty() && outstanding.isEmpty() && received.cardinality() < pieces) {
      nextPiece = received.nextClearBit(0); // a peer switch dropped wants: ask again from the start
      return toRequest(window);
    }
    return out;
  }

  void sent(int piece, long nowNanos) {
    outstanding.put(piece, nowNanos);
  }

  int offsetOf(int piece) {
    return piece * pieceSize;
  }

  int lengthOf(int piece) {
    return Math.min(pieceSize, length - piece * pieceSize);
  }

  /** A DATA piece from {@code from}; false if it was not asked of that peer (ignored). */
  boolean onData(InetSocketAddress from, int offset, byte[] data) {
    if (offset % pieceSize != 0 || !from.equals(peer())) {
      return false;
    }
    int p = offset / pieceSize;
    if (p >= pieces || outstanding.remove(p) == null || data.length != lengthOf(p)) {
      return false;
    }
    System.arraycopy(data, 0, buffer, offset, data.length);
    received.set(p);
    contributors.add(from);
    timeoutsWithPeer = 0;
    return true;
  }

  /** NOT_HAVE or DEFER from the current peer: the answer decides who is asked next. */
  Next onRefusal(InetSocketAddress from, boolean deferred) {
    if (!from.equals(peer()) || outstanding.isEmpty()) {
      return Next.CONTINUE; // a late answer of a peer already left
    }
    if (deferred && !lastResort && !deferrers.contains(from)) {
      deferrers.add(from);
    }
    return nextPeer() ? Next.CONTINUE : Next.GIVE_UP;
  }

  boolean complete() {
    return received.cardinality() == pieces;
  }

  /**
   * Pieces outstanding for longer than {@code timeoutNanos}, now due again; switches peer after
   * {@code timeoutsBeforeSwitch} of them (returning GIVE_UP when no peer is left).
   */
  Next onTick(long nowNanos, long timeoutNanos, int timeoutsBeforeSwitch, List<Integer> resend) {
    for (Map.Entry<Integer, Long> e : outstanding.entrySet()) {
      if (nowNanos - e.getValue() >= timeoutNanos) {
        resend.add(e.getKey());
      }
    }
    if (!resend.isEmpty() && ++timeoutsWithPeer > timeoutsBeforeSwitch) {
      resend.clear();
      return nextPeer() ? Next.CONTINUE : Next.GIVE_UP;
    }
    return Next.CONTINUE;
  }
}
