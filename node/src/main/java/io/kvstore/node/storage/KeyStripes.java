package io.kvstore.node.storage;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed array of locks indexed by key hash: serialises the read-modify-write of any one key
 * without a lock object per key. Two keys may share a stripe, which only costs a little waiting.
 */
final class KeyStripes {
  private final ReentrantLock[] locks;
  private final int mask;

  /** {@code stripes} must be a power of two. */
  KeyStripes(int stripes) {
    if (Integer.bitCount(stripes) != 1) {
      throw new IllegalArgumentException("stripe count must be a power of two, got " + stripes);
    }
    locks = new ReentrantLock[stripes];
    for (int i = 0; i < stripes; i++) {
      locks[i] = new ReentrantLock();
    }
    mask = stripes - 1;
  }

  /** The lock guarding a valid 32-byte key. */
  ReentrantLock lockFor(byte[] key) {
    return locks[indexOf(key)];
  }

  /** The index of a valid key's stripe: a thread taking several stripes takes them in this order. */
  int indexOf(byte[] key) {
    return StorageKey.hash(key) & mask;
  }

  ReentrantLock lock(int index) {
    return locks[index];
  }
}
