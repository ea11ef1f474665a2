package io.kvstore.node.storage;

import io.kvstore.node.storage.StorageEngine.WriteResult;

/**
 * What a write did, in more detail than {@link WriteResult}: whether it replaced a live value, so
 * that {@link StorageEngine#remove} can tell "deleted" from "was already absent".
 */
enum WriteOutcome {
  STALE(WriteResult.STALE),
  OUT_OF_SPACE(WriteResult.OUT_OF_SPACE),
  /** Stored where no live value was (the key was absent or a tombstone). */
  STORED(WriteResult.APPLIED),
  /** Stored in place of a live value. */
  REPLACED_LIVE_VALUE(WriteResult.APPLIED);

  private final WriteResult result;

  WriteOutcome(WriteResult result) {
    this.result = result;
  }

  WriteResult result() {
    return result;
  }

  boolean applied() {
    return result == WriteResult.APPLIED;
  }
}
