package io.kvstore.node.storage;

/**
 * The version of a stored record without its value: enough to decide last-writer-wins and to
 * account for quota without copying the value.
 */
record RecordHeader(long timestamp, boolean tombstone, int valueLength) {

  static RecordHeader of(VersionedRecord record) {
    return new RecordHeader(record.timestamp(), record.tombstone(), record.value().length);
  }
}
