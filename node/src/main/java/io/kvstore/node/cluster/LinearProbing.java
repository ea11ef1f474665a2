package io.kvstore.node.cluster;

/**
 * The two pieces of arithmetic shared by the open-addressing tables of this package
 * ({@link BroadcastQueue}'s by-member table, {@link PendingCandidates}): linear probing in a
 * power-of-two table, removal by moving later keys back (no tombstones).
 */
final class LinearProbing {
  private LinearProbing() {}

  /**
   * Spreads a hash over the table: ids' hashes are often near each other ("node-17", "node-18"),
   * and linear probing clusters them unless they are scattered.
   */
  static int spread(int hash) {
    int h = hash * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /**
   * Whether the key in slot {@code i}, whose home slot is {@code home}, may move back into the
   * {@code hole} being removed before it: unless its home lies cyclically in (hole, i], where a
   * lookup starting there would no longer reach it.
   */
  static boolean mayFill(int home, int hole, int i, int mask) {
    return ((i - home) & mask) >= ((i - hole) & mask);
  }
}
