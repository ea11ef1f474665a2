package io.kvstore.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownTimeGuardTest {
  @TempDir Path dir;

  private static MemoryStorageEngine storeWithAKey() {
    MemoryStorageEngine store = new MemoryStorageEngine(StorageLimits.UNLIMITED);
    store.put(new byte[32], new byte[] {1}, 1);
    return store;
  }

  @Test
  void aNodeDownLongerThanTheGracePeriodStartsEmptyAndOneDownShorterKeepsItsData() {
    DownTimeGuard guard = new DownTimeGuard(dir);
    MemoryStorageEngine store = storeWithAKey();
    assertThat(guard.wipeIfDownTooLong(10_000, 1_000, store)).as("no note yet: a new directory").isFalse();
    guard.noteRunning(10_000);
    assertThat(guard.wipeIfDownTooLong(10_900, 1_000, store)).isFalse();
    assertThat(store.keyCount()).isEqualTo(1);
    assertThat(guard.wipeIfDownTooLong(11_001, 1_000, store)).isTrue();
    assertThat(store.keyCount()).isZero();
  }

  @Test
  void anUnreadableNoteJudgesNothing() throws Exception {
    Files.writeString(dir.resolve(DownTimeGuard.FILE), "not a time");
    MemoryStorageEngine store = storeWithAKey();
    assertThat(new DownTimeGuard(dir).wipeIfDownTooLong(Long.MAX_VALUE, 1, store)).isFalse();
    assertThat(store.keyCount()).isEqualTo(1);
  }
}
