package io.kvstore.node.ops.files;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What each of the latest files is doing on this node, by name: {@code ops.files.NAME} in status
 * reports. Bounded ({@link #CAPACITY} names; the oldest is forgotten). Written on the transfer
 * thread, read by the stats sampler: thread-safe.
 */
final class FileStates {
  /** Files whose state goes into status reports (the latest ones). */
  static final int CAPACITY = 16;

  private record Reported(FileOpId op, int chunks, String state) {}

  private final ChunkStore store;
  private final Map<String, Reported> byName = new LinkedHashMap<>();

  FileStates(ChunkStore store) {
    this.store = store;
  }

  /** {@code op}'s file is now in {@code state}; the name moves to the newest place. */
  synchronized void report(FileOp op, String state) {
    byName.remove(op.manifest.name());
    byName.put(op.manifest.name(), new Reported(op.id, op.manifest.chunkCount(), state));
    while (byName.size() > CAPACITY) {
      byName.remove(byName.keySet().iterator().next());
    }
  }

  /** Every name held, oldest first, with {@link #state}. */
  synchronized Map<String, String> all() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : byName.keySet()) {
      out.put(name, state(name));
    }
    return out;
  }

  /** The state of {@code name} and its operation's short id, chunks held while it moves; or null. */
  synchronized String state(String name) {
    Reported r = byName.get(name);
    if (r == null) {
      return null;
    }
    String state = r.state.equals("fetching") || r.state.equals("uploading")
        ? r.state + " " + store.heldCount(r.op) + "/" + r.chunks : r.state;
    return state + " " + r.op.shortHex();
  }
}
