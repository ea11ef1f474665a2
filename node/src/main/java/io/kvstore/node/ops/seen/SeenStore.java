package io.kvstore.node.ops.seen;

import io.kvstore.node.ops.codec.SignedOperation;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where accepted operations are remembered beyond a restart. {@link DirectorySeenStore} in a real
 * node; {@link Memory} in tests and the simulator (which keeps it across a simulated crash, as a
 * disk would be kept).
 */
public interface SeenStore {
  /**
   * One remembered operation: its id and its bytes, or null bytes when the record was unreadable
   * (its id is still honoured, so a damaged store never lets an operation run twice).
   */
  record Stored(byte[] id, byte[] bytes) {}

  /** Everything remembered (the caller drops what has expired). */
  List<Stored> load();

  /** Remembers {@code op} durably before returning; throws {@link java.io.UncheckedIOException} if it cannot. */
  void add(SignedOperation op);

  /** Forgets the operation {@code id} (it expired). */
  void remove(byte[] id);

  /** A store in memory. */
  final class Memory implements SeenStore {
    private final ConcurrentHashMap<String, byte[]> ops = new ConcurrentHashMap<>();

    @Override
    public List<Stored> load() {
      return ops.values().stream().map(b -> new Stored(java.util.Arrays.copyOfRange(b, 5, 21), b)).toList();
    }

    @Override
    public void add(SignedOperation op) {
      ops.put(op.idHex(), op.encoded());
    }

    @Override
    public void remove(byte[] id) {
      ops.remove(java.util.HexFormat.of().formatHex(id));
    }

    public int size() {
      return ops.size();
    }
  }
}
