package io.kvstore.node.storage;

class MemoryStorageAccountingTest extends StorageEngineAccountingContractTest {
  @Override
  protected StorageEngine newEngine(StorageLimits limits) {
    return new MemoryStorageEngine(limits);
  }
}
