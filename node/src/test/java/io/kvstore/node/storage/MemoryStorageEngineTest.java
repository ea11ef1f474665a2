package io.kvstore.node.storage;

import static io.kvstore.node.storage.TestData.key;
import static io.kvstore.node.storage.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryStorageEngineTest extends StorageEngineContractTest {

  @Override
  protected StorageEngine newEngine(StorageLimits limits) {
    return new MemoryStorageEngine(limits);
  }

  @Test
  void occupiesNoDisk() {
    StorageEngine engine = open();
    engine.put(key(1), value(100, 1), 1);

    assertThat(engine.diskBytes()).isZero();
  }
}
