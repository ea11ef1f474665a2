package io.kvstore.node.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class RocksDbStorageAccountingTest extends StorageEngineAccountingContractTest {
  @TempDir Path tempDir;
  private int engines;

  @Override
  protected StorageEngine newEngine(StorageLimits limits) {
    return RocksDbStorageEngine.open(tempDir.resolve("engine-" + engines++), limits, WalMode.BUFFERED);
  }
}
