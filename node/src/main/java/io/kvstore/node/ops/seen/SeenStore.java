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

  /**
   * From which instant (this node's clock) the store has seen every operation the node accepted:
   * {@link Long#MIN_VALUE} for a store that outlives restarts; the node's start for one that does
   * not, so that the verifier can refuse operations that may have run here before it.
   */
  default long rememberedSinceMillis() {
    return Long.MIN_VALUE;
  }

  /**
   * A store in memory. {@link #Memory()} stands for a disk that is kept (tests, the simulator);
   * {@link #Memory(long)} is a {@code --memory} node's, forgotten when the process ends.
   */
  final class Memory implements SeenStore {
    private final ConcurrentHashMap<String, byte[]> ops = new ConcurrentHashMap<>();
    private final long rememberedSinceMillis;

    public Memory() {
      this(Long.MIN_VALUE);
    }

    /** A store that knows nothing accepted before {@code startedAtMillis}. */
    public Memory(long startedAtMillis) {
      this.rememberedSinceMillis = startedAtMillis;
    }

    @Override
    public long rememberedSinceMillis() {
      return rememberedSinceMillis;
    }

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
