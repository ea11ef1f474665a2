package io.kvstore.node.storage;

/** Deterministic keys and values for storage tests, and the RocksDB engine they open. */
final class TestData {
  private TestData() {}

  /**
   * Key number {@code n}: 28 zero bytes and {@code n} big-endian, the kind of non-random key a
   * client may well choose.
   */
  static byte[] key(int n) {
    byte[] key = new byte[32];
    for (int i = 0; i < Integer.BYTES; i++) {
      key[31 - i] = (byte) (n >>> (8 * i));
    }
    return key;
  }

  /** A value of {@code size} bytes whose content depends on {@code seed}. */
  static byte[] value(int size, int seed) {
    byte[] value = new byte[size];
    for (int i = 0; i < size; i++) {
      value[i] = (byte) (seed * 31 + i);
    }
    return value;
  }

  /** A RocksDB engine at {@code dir}: no limits, WAL records leaving the process at each flush. */
  static RocksDbStorageEngine rocksDbAt(java.nio.file.Path dir) {
    return RocksDbStorageEngine.open(dir, StorageLimits.UNLIMITED, WalMode.BUFFERED);
  }
}
