package io.kvstore.node.request;

import io.kvstore.protocol.Command;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Requests admitted but not yet executed, in arrival order, bounded in count and in bytes. The
 * request bytes are copied into one ring of direct memory and their decoded parts kept in
 * parallel arrays, so queueing allocates nothing and a queued request is never decoded again.
 * Not thread-safe: one per pipeline.
 */
final class RequestQueue {
  private static final Command[] COMMANDS = Command.values();

  private final ByteBuffer arena;
  private final int capacity;
  private final int[] offsets;
  private final int[] lengths;
  /** Bytes skipped at the end of the ring before each entry (entries never wrap). */
  private final int[] skipped;
  private final byte[] commands;
  private final int[] valueLengths;
  private final int[] declaredLengths;
  private final long[] fingerprints;
  private final long[] enqueuedNanos;
  private final InetSocketAddress[] sources;
  private int head;
  private int size;
  private int writeAt;
  private int usedBytes;

  RequestQueue(int slots, int bytes) {
    this.capacity = bytes;
    this.arena = ByteBuffer.allocateDirect(bytes);
    this.offsets = new int[slots];
    this.lengths = new int[slots];
    this.skipped = new int[slots];
    this.commands = new byte[slots];
    this.valueLengths = new int[slots];
    this.declaredLengths = new int[slots];
    this.fingerprints = new long[slots];
    this.enqueuedNanos = new long[slots];
    this.sources = new InetSocketAddress[slots];
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** Copies the request in, arrived at {@code nowNanos}; false when full (in slots or in bytes). */
  boolean offer(ClientRequest request, long nowNanos) {
    int length = request.retainedLength();
    if (size == offsets.length) {
      return false;
    }
    int at = writeAt;
    int skip = 0;
    if (at + length > capacity) {
      skip = capacity - at;
      at = 0;
    }
    if (usedBytes + skip + length > capacity) {
      return false;
    }
    arena.put(at, request.buffer(), request.start(), length);
    int slot = (head + size) % offsets.length;
    offsets[slot] = at;
    lengths[slot] = length;
    skipped[slot] = skip;
    commands[slot] = (byte) request.command().ordinal();
    valueLengths[slot] = request.valueLength();
    declaredLengths[slot] = request.declaredLength();
    fingerprints[slot] = request.fingerprint();
    enqueuedNanos[slot] = nowNanos;
    sources[slot] = request.source();
    usedBytes += skip + length;
    writeAt = at + length;
    size++;
    return true;
  }

  /** When the oldest request arrived; only when not empty. */
  long oldestEnqueuedNanos() {
    return enqueuedNanos[head];
  }

  /**
   * Takes the oldest request into {@code into}, pointing at the queue's copy of its bytes, which
   * stays valid until the next {@link #offer}. Returns false when empty.
   */
  boolean poll(ClientRequest into) {
    if (size == 0) {
      return false;
    }
    int slot = head;
    int at = offsets[slot];
    into.fill(arena, at, at + lengths[slot], COMMANDS[commands[slot]], valueLengths[slot],
        declaredLengths[slot], fingerprints[slot], sources[slot]);
    sources[slot] = null;
    usedBytes -= skipped[slot] + lengths[slot];
    head = (head + 1) % offsets.length;
    size--;
    if (size == 0) {
      writeAt = 0; // empty: start over at the beginning, no bytes skipped
      usedBytes = 0;
    }
    return true;
  }

  /** Forgets everything queued (the socket closed). */
  void clear() {
    while (size > 0) {
      sources[head] = null;
      head = (head + 1) % offsets.length;
      size--;
    }
    writeAt = 0;
    usedBytes = 0;
  }
}
