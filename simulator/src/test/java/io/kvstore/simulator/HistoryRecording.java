package io.kvstore.simulator;

import io.kvstore.history.CheckResult;
import io.kvstore.history.History;
import io.kvstore.history.HistoryChecker;
import io.kvstore.history.Kind;
import io.kvstore.history.Outcome;
import io.kvstore.history.Violation;
import io.kvstore.protocol.Command;
import java.util.HashMap;
import java.util.Map;

/** Records a {@link KvCluster}'s client requests into a {@link History} on the virtual clock. */
final class HistoryRecording implements ClientRecorder {
  private final History history;
  private final Map<Long, Integer> nodeOf = new HashMap<>();

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
    if (handle != History.DROPPED) {
      nodeOf.put(handle, op.node());
    }
  }

  /** The result's report, each violation followed by the nodes its operations were sent to. */
  String report(CheckResult result) {
    StringBuilder s = new StringBuilder(result.summary()).append('\n');
    for (Violation v : result.violations()) {
      s.append(v.describe()).append("  sent to: read via node ").append(nodeOf.get(v.read().id()));
      if (v.shouldHaveSeen() != null) {
        s.append(", write it should have seen via node ").append(nodeOf.get(v.shouldHaveSeen().id()));
      }
      s.append('\n');
    }
    return s.toString();
  }

  History history() {
    return history;
  }

  CheckResult check() {
    return HistoryChecker.check(history);
  }
}
