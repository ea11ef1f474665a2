package io.kvstore.node.storage;

import static io.kvstore.node.storage.TestData.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecentHeadersTest {
  private final RecentHeaders headers = new RecentHeaders(1024, 1024);

  @Test
  void remembersLiveTombstoneAndAbsentVersionsAndMissesUnknownKeys() {
    assertThat(headers.find(key(1))).isSameAs(RecentHeaders.MISS);
    headers.remember(key(1), new RecordHeader(42, false, 100));
    headers.remember(key(2), new RecordHeader(43, true, 0));
    headers.remember(key(3), null);

    assertThat(headers.find(key(1))).isEqualTo(new RecordHeader(42, false, 100));
    assertThat(headers.find(key(2))).isEqualTo(new RecordHeader(43, true, 0));
    assertThat(headers.find(key(3))).as("known absent").isNull();
    assertThat(headers.find(key(4))).isSameAs(RecentHeaders.MISS);
    assertThat(headers.hits()).isEqualTo(3);
    assertThat(headers.misses()).isEqualTo(2);
  }

  @Test
  void anEmptyValueIsLiveNotAbsent() {
    headers.remember(key(1), new RecordHeader(7, false, 0));
    assertThat(headers.find(key(1))).isEqualTo(new RecordHeader(7, false, 0));
  }

  @Test
  void aCollidingKeyTakesTheSlotOverAndTheFormerKeyMisses() {
    RecentHeaders small = new RecentHeaders(2, 2);
    int first = 0;
    int second = 1;
    while ((StorageKey.hash(key(second)) & 1) != (StorageKey.hash(key(first)) & 1)) {
      second++;
    }
    small.remember(key(first), new RecordHeader(1, false, 10));
    small.remember(key(second), new RecordHeader(2, false, 20));

    assertThat(small.find(key(first))).isSameAs(RecentHeaders.MISS);
    assertThat(small.find(key(second))).isEqualTo(new RecordHeader(2, false, 20));
    small.forget(key(first));
    assertThat(small.find(key(second))).as("forgetting another key leaves the slot").isNotNull();
  }

  @Test
  void forgetAndClearDropVersions() {
    headers.remember(key(1), new RecordHeader(1, false, 1));
    headers.remember(key(2), new RecordHeader(2, false, 2));
    headers.forget(key(1));
    assertThat(headers.find(key(1))).isSameAs(RecentHeaders.MISS);
    assertThat(headers.find(key(2))).isNotSameAs(RecentHeaders.MISS);
    headers.clear();
    assertThat(headers.find(key(2))).isSameAs(RecentHeaders.MISS);
  }

  @Test
  void fewerSlotsThanLockStripesIsRefused() {
    assertThatThrownBy(() -> new RecentHeaders(512, 1024)).hasMessageContaining("at least 1024");
    assertThatThrownBy(() -> new RecentHeaders(1000, 8)).hasMessageContaining("power of two");
  }
}
