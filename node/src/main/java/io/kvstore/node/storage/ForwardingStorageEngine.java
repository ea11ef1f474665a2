package io.kvstore.node.storage;

/**
 * A storage engine that forwards every call to another: decorators (the tests' recording and
 * failing engines, the simulator's execution log) override only the calls they watch.
 * {@link #readValue} is not forwarded: it reads through {@link #get}, so that a decorator watching
 * reads sees every GET.
 */
public class ForwardingStorageEngine implements StorageEngine {
  protected final StorageEngine delegate;

  public ForwardingStorageEngine(StorageEngine delegate) {
    this.delegate = delegate;
  }

  @Override
  public WriteResult put(byte[] key, byte[] value, long timestamp) {
    return delegate.put(key, value, timestamp);
  }

  @Override
  public boolean remove(byte[] key, long timestamp) {
    return delegate.remove(key, timestamp);
  }

  @Override
  public VersionedRecord get(byte[] key) {
    return delegate.get(key);
  }

  @Override
  public VersionedRecord getRecord(byte[] key) {
    return delegate.getRecord(key);
  }

  @Override
  public WriteResult apply(byte[] key, VersionedRecord record) {
    return delegate.apply(key, record);
  }

  @Override
  public byte[] scan(byte[] afterKey, int maxRecords, ScanSink sink) {
    return delegate.scan(afterKey, maxRecords, sink);
  }

  @Override
  public void wipeout() {
    delegate.wipeout();
  }

  @Override
  public long keyCount() {
    return delegate.keyCount();
  }

  @Override
  public long liveBytes() {
    return delegate.liveBytes();
  }

  @Override
  public long diskBytes() {
    return delegate.diskBytes();
  }

  @Override
  public RecordCacheStats recordCacheStats() {
    return delegate.recordCacheStats();
  }

  @Override
  public void flushWal() {
    delegate.flushWal();
  }

  @Override
  public void sync() {
    delegate.sync();
  }

  @Override
  public long collectTombstones(long olderThanTimestamp) {
    return delegate.collectTombstones(olderThanTimestamp);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
