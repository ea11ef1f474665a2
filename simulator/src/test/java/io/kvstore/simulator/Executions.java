package io.kvstore.simulator;

import io.kvstore.node.storage.ForwardingStorageEngine;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.protocol.Command;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Test instrumentation: every node's storage is a {@link MemoryStorageEngine} wrapped to log each
 * command the key-value service executes on it (which node, what, when, with which HLC timestamp).
 * Production code is untouched; this only watches what the real service does to storage.
 */
final class Executions {
  record Execution(int node, Command command, String key, String value, long timestamp, long atMillis) {}

  private final List<Execution> log = new ArrayList<>();
  private LongSupplier now = () -> 0;

  /** Storage for {@link KvCluster.Settings#withStorage}. */
  KvCluster.StorageFactory storage() {
    return node -> new Recording(node, new MemoryStorageEngine(StorageLimits.UNLIMITED));
  }

  void clock(LongSupplier elapsedMillis) {
    this.now = elapsedMillis;
  }

  List<Execution> all() {
    return log;
  }

  List<Execution> of(Command command) {
    return log.stream().filter(e -> e.command() == command).toList();
  }

  /** PUT executions by the value written (each value belongs to one request). */
  Map<String, List<Execution>> putsByValue() {
    return of(Command.PUT).stream().collect(Collectors.groupingBy(Execution::value));
  }

  /** REMOVE executions by key (a key gets at most one REMOVE request). */
  Map<String, List<Execution>> removesByKey() {
    return of(Command.REMOVE).stream().collect(Collectors.groupingBy(Execution::key));
  }

  static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /** Every call goes to the node's engine; the executions are logged on the way. */
  private final class Recording extends ForwardingStorageEngine {
    private final int node;

    Recording(int node, StorageEngine delegate) {
      super(delegate);
      this.node = node;
    }

    @Override
    public WriteResult put(byte[] key, byte[] value, long timestamp) {
      log.add(new Execution(node, Command.PUT, text(key), text(value), timestamp, now.getAsLong()));
      return delegate.put(key, value, timestamp);
    }

    @Override
    public boolean remove(byte[] key, long timestamp) {
      boolean removed = delegate.remove(key, timestamp);
      if (removed) { // deleting what is already deleted has no new effect
        log.add(new Execution(node, Command.REMOVE, text(key), null, timestamp, now.getAsLong()));
      }
      return removed;
    }

    @Override
    public VersionedRecord get(byte[] key) {
      log.add(new Execution(node, Command.GET, text(key), null, 0, now.getAsLong()));
      return delegate.get(key);
    }

    /** Replicas read through here (tombstones included): a GET's execution. */
    @Override
    public VersionedRecord getRecord(byte[] key) {
      log.add(new Execution(node, Command.GET, text(key), null, 0, now.getAsLong()));
      return delegate.getRecord(key);
    }

    /** Replicas write through here: a PUT's execution (tombstones go through remove). */
    @Override
    public WriteResult apply(byte[] key, VersionedRecord record) {
      VersionedRecord stored = delegate.getRecord(key);
      WriteResult result = delegate.apply(key, record);
      // Only a change counts: a stale write changed nothing, and the same value again (a
      // duplicated frame, or the same write stamped again above a newer version) has no new
      // effect. A request's value coming back after another value replaced it is logged, and is
      // what the at-most-once checks catch.
      boolean sameValue = stored != null && !stored.tombstone() && !record.tombstone()
          && java.util.Arrays.equals(stored.value(), record.value());
      if (result == WriteResult.APPLIED && !sameValue) {
        log.add(new Execution(node, record.tombstone() ? Command.REMOVE : Command.PUT, text(key),
            record.tombstone() ? null : text(record.value()), record.timestamp(), now.getAsLong()));
      }
      return result;
    }
  }
}
