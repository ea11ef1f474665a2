package io.kvstore.simulator;

import io.kvstore.history.CheckResult;
import io.kvstore.history.History;
import io.kvstore.history.HistoryChecker;
import io.kvstore.history.Kind;
import io.kvstore.history.Outcome;
import io.kvstore.protocol.Command;

/** Records a {@link KvCluster}'s client requests into a {@link History} on the virtual clock. */
final class HistoryRecording implements ClientRecorder {
  private final History history;

  private HistoryRecording(History history) {
    this.history = history;
  }

  /** Starts recording every client of {@code cluster} (at most {@code maxOps} operations). */
  static HistoryRecording of(KvCluster cluster, int maxOps) {
    Simulation sim = cluster.sim();
    HistoryRecording recording = new HistoryRecording(new History(() -> sim.elapsedMillis() * 1_000_000L, maxOps));
    cluster.record(recording);
    return recording;
  }

  private static Kind kind(Command command) {
    return switch (command) {
      case PUT -> Kind.PUT;
      case GET -> Kind.GET;
      case REMOVE -> Kind.REMOVE;
      default -> throw new IllegalArgumentException("not a key-value command: " + command);
    };
  }

  @Override
  public long invoked(int client, Command command, byte[] key, byte[] value) {
    return history.invoke(client - KvCluster.FIRST_CLIENT, kind(command), key, value);
  }

  @Override
  public void completed(long handle, Operation op) {
    Kind kind = kind(op.command());
    history.complete(handle, Outcome.ofReply(kind, op.code()), op.value());
  }

  History history() {
    return history;
  }

  CheckResult check() {
    return HistoryChecker.check(history);
  }
}
