package io.kvstore.node.storage;

import static io.kvstore.node.storage.TestData.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecentRecordsTest {
  private final RecentRecords headers = new RecentRecords(1024, 4, 1024, 128, 256);

  @Test
  void remembersLiveTombstoneAndAbsentVersionsAndMissesUnknownKeys() {
    assertThat(headers.find(key(1))).isSameAs(RecentRecords.MISS);
    headers.remember(key(1), new RecordHeader(42, false, 100));
    headers.remember(key(2), new RecordHeader(43, true, 0));
    headers.remember(key(3), null);

    assertThat(headers.find(key(1))).isEqualTo(new RecordHeader(42, false, 100));
    assertThat(headers.find(key(2))).isEqualTo(new RecordHeader(43, true, 0));
    assertThat(headers.find(key(3))).as("known absent").isNull();
    assertThat(headers.find(key(4))).isSameAs(RecentRecords.MISS);
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
    RecentRecords small = new RecentRecords(2, 1, 2, 64, 256);
    int first = 0;
    int second = 1;
    while ((StorageKey.hash(key(second)) & 1) != (StorageKey.hash(key(first)) & 1)) {
      second++;
    }
    small.remember(key(first), new RecordHeader(1, false, 10));
    small.remember(key(second), new RecordHeader(2, false, 20));

    assertThat(small.find(key(first))).isSameAs(RecentRecords.MISS);
    assertThat(small.find(key(second))).isEqualTo(new RecordHeader(2, false, 20));
    small.forget(key(first));
    assertThat(small.find(key(second))).as("forgetting another key leaves the slot").isNotNull();
  }

  @Test
  void forgetAndClearDropVersions() {
    headers.remember(key(1), new RecordHeader(1, false, 1));
    headers.remember(key(2), new RecordHeader(2, false, 2));
    headers.forget(key(1));
    assertThat(headers.find(key(1))).isSameAs(RecentRecords.MISS);
    assertThat(headers.find(key(2))).isNotSameAs(RecentRecords.MISS);
    headers.clear();
    assertThat(headers.find(key(2))).isSameAs(RecentRecords.MISS);
  }

  @Test
  void fewerSlotsThanLockStripesIsRefused() {
    assertThatThrownBy(() -> new RecentRecords(512, 4, 1024, 64, 256)).hasMessageContaining("at least 1024");
    assertThatThrownBy(() -> new RecentRecords(1000, 4, 8, 64, 256)).hasMessageContaining("power of two");
    assertThatThrownBy(() -> new RecentRecords(8, 0, 8, 64, 256)).hasMessageContaining("ways");
  }

  @Test
  void keysOfOneSetShareItsWaysAndAFullSetGivesUpItsOldestFill() {
    RecentRecords oneSet = new RecentRecords(1, 2, 1, 64, 256);
    oneSet.remember(key(1), new RecordHeader(1, false, 10), new byte[20]);
    oneSet.remember(key(2), new RecordHeader(2, false, 10), new byte[20]);
    oneSet.remember(key(1), new RecordHeader(3, false, 10), new byte[20]);
    assertThat(oneSet.find(key(1))).as("a new version keeps its slot").isEqualTo(new RecordHeader(3, false, 10));
    assertThat(oneSet.find(key(2))).isEqualTo(new RecordHeader(2, false, 10));
    assertThat(oneSet.heldBytes()).isEqualTo(40);

    oneSet.remember(key(3), new RecordHeader(4, false, 10), new byte[20]);
    assertThat(oneSet.find(key(1))).as("filled first, taken over").isSameAs(RecentRecords.MISS);
    assertThat(oneSet.findEncoded(key(2))).isNotNull();
    assertThat(oneSet.findEncoded(key(3))).isNotNull();
    assertThat(oneSet.heldBytes()).isEqualTo(40);

    oneSet.remember(key(1), new RecordHeader(5, false, 10), new byte[20]);
    assertThat(oneSet.find(key(2))).as("next in turn").isSameAs(RecentRecords.MISS);
    oneSet.forget(key(3));
    oneSet.remember(key(4), null);
    assertThat(oneSet.find(key(4))).as("into the slot forgetting freed").isNull();
    assertThat(oneSet.find(key(1))).isEqualTo(new RecordHeader(5, false, 10));
    assertThat(oneSet.heldBytes()).isEqualTo(20);
  }

  @Test
  void holdsRecordsForReadsAndAnswersKnownAbsentKeys() {
    byte[] record = new byte[40];
    headers.remember(key(1), new RecordHeader(1, false, 27), record);
    headers.remember(key(2), null);
    headers.remember(key(3), new RecordHeader(3, false, 5));

    assertThat(headers.findEncoded(key(1))).isSameAs(record);
    assertThat(headers.findEncoded(key(2))).isSameAs(RecentRecords.ABSENT_RECORD);
    assertThat(headers.findEncoded(key(3))).as("header only: read from the store").isNull();
    assertThat(headers.findEncoded(key(4))).isNull();
    assertThat(headers.readHits()).isEqualTo(2);
    assertThat(headers.readMisses()).isEqualTo(2);
    assertThat(headers.heldBytes()).isEqualTo(40);
  }

  @Test
  void aNewerHeaderWithoutItsRecordDropsTheOldRecord() {
    headers.remember(key(1), new RecordHeader(1, false, 27), new byte[40]);
    headers.remember(key(1), new RecordHeader(2, false, 27));
    assertThat(headers.findEncoded(key(1))).as("the held record is of an older version").isNull();
    assertThat(headers.heldBytes()).isZero();
  }

  @Test
  void recordsBeyondTheBudgetOrTooLargeKeepOnlyTheirHeader() {
    headers.remember(key(1), new RecordHeader(1, false, 87), new byte[100]);
    headers.remember(key(2), new RecordHeader(1, false, 87), new byte[100]);
    headers.remember(key(3), new RecordHeader(1, false, 87), new byte[100]);
    headers.remember(key(4), new RecordHeader(1, false, 500), new byte[129]);

    assertThat(headers.heldBytes()).as("budget 256 bytes").isEqualTo(200);
    assertThat(headers.findEncoded(key(3))).as("over the budget").isNull();
    assertThat(headers.find(key(3))).isEqualTo(new RecordHeader(1, false, 87));
    assertThat(headers.findEncoded(key(4))).as("larger than 128 bytes").isNull();

    headers.forget(key(1));
    assertThat(headers.heldBytes()).isEqualTo(100);
    headers.remember(key(3), new RecordHeader(2, false, 87), new byte[100]);
    assertThat(headers.findEncoded(key(3))).as("room again").isNotNull();
    headers.clear();
    assertThat(headers.heldBytes()).isZero();
    assertThat(headers.findEncoded(key(2))).isNull();
  }

  @Test
  void aCollidingKeyReleasesTheFormerKeysRecord() {
    RecentRecords small = new RecentRecords(2, 1, 2, 64, 256);
    int first = 0;
    int second = 1;
    while ((StorageKey.hash(key(second)) & 1) != (StorageKey.hash(key(first)) & 1)) {
      second++;
    }
    small.remember(key(first), new RecordHeader(1, false, 37), new byte[50]);
    small.remember(key(second), new RecordHeader(2, false, 7), new byte[20]);
    assertThat(small.findEncoded(key(first))).isNull();
    assertThat(small.heldBytes()).isEqualTo(20);
  }
}
