package io.kvstore.bench.replicated;

/** How one request of the load ended, the same four ways for every system under test. */
public enum Outcome {
  /** A PUT stored, or a GET found its value. */
  OK,
  /** A GET found no value: after the preload this means a lost or unreadable key. */
  MISS,
  /** The system answered, but refused (KVStore: overloaded 0x03, no quorum 0x22, ...). */
  REJECTED,
  /** No answer: a timeout, a closed connection or another exception. */
  FAILED;

  /** Counts as a completed operation for throughput and latency. */
  public boolean completed() {
    return this == OK || this == MISS;
  }
}
