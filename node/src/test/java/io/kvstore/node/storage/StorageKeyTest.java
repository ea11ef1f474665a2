package io.kvstore.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StorageKeyTest {

  @Test
  void equalityIsOnContentAndTheKeyOwnsItsBytes() {
    byte[] bytes = TestData.key(7);
    StorageKey key = StorageKey.copyOf(bytes);
    bytes[0] = 1;

    assertThat(key)
        .isEqualTo(StorageKey.copyOf(TestData.key(7)))
        .isNotEqualTo(StorageKey.copyOf(bytes));
    assertThat(key.hashCode()).isEqualTo(StorageKey.copyOf(TestData.key(7)).hashCode());
  }

  @Test
  void flippingAnyOneBitChangesTheHash() {
    byte[] zeros = new byte[32];
    int base = StorageKey.hash(zeros);
    for (int bit = 0; bit < 256; bit++) {
      byte[] flipped = zeros.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(StorageKey.hash(flipped)).as("bit %d", bit).isNotEqualTo(base);
    }
  }

  @Test
  void sequentialKeysSpreadOverHashBuckets() {
    // Counter keys differ only in their last bytes; a weak hash would pile them into few buckets.
    int keys = 65_536;
    int buckets = 1024;
    int[] perBucket = new int[buckets];
    Set<Integer> hashes = new HashSet<>();
    for (int i = 0; i < keys; i++) {
      int hash = StorageKey.hash(TestData.key(i));
      hashes.add(hash);
      perBucket[hash & (buckets - 1)]++;
    }

    assertThat(hashes.size()).isGreaterThan(keys - 5);
    int expected = keys / buckets;
    for (int count : perBucket) {
      assertThat(count).isBetween(expected / 2, expected * 2);
    }
  }
}
