package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.ResponseCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Invariants of a {@link KvWorkload} run, checked against what the storage saw executed. */
final class KvChecks {
  /** Stands for "no value" in the sets of possible states of a key. */
  private static final String ABSENT = "<absent>";

  private KvChecks() {}

  /** Each request executed at most once in the whole cluster. */
  static void atMostOncePerRequest(Executions executions) {
    executions.putsByValue().forEach((value, runs) ->
        assertThat(runs).as("executions of the PUT writing %s", value).hasSize(1));
    executions.removesByKey().forEach((key, runs) ->
        assertThat(runs).as("executions of the REMOVE of %s", key).hasSize(1));
  }

  /** Each request executed at most once on any one node (its reply cache's promise). */
  static void atMostOncePerRequestOnEachNode(Executions executions) {
    executions.putsByValue().forEach((value, runs) ->
        assertThat(runs.stream().map(Executions.Execution::node).distinct().count())
            .as("executions of the PUT writing %s: %s", value, runs).isEqualTo(runs.size()));
    executions.removesByKey().forEach((key, runs) ->
        assertThat(runs.stream().map(Executions.Execution::node).distinct().count())
            .as("executions of the REMOVE of %s: %s", key, runs).isEqualTo(runs.size()));
  }

  /** Requests executed more than once in the cluster (on different nodes). */
  static long executedTwice(Executions executions) {
    return executions.putsByValue().values().stream().filter(r -> r.size() > 1).count()
        + executions.removesByKey().values().stream().filter(r -> r.size() > 1).count();
  }

  /** A write the client saw succeed was executed; a value in storage was written by a request. */
  static void acknowledgedWritesWereExecuted(List<Operation> history, Executions executions) {
    Map<String, List<Executions.Execution>> puts = executions.putsByValue();
    Map<String, List<Executions.Execution>> removes = executions.removesByKey();
    for (Operation op : history) {
      if (op.succeeded() && op.command() == Command.PUT) {
        assertThat(puts).as("acknowledged %s", Executions.text(op.value())).containsKey(Executions.text(op.value()));
      }
      if (op.succeeded() && op.command() == Command.REMOVE) {
        assertThat(removes).as("acknowledged REMOVE").containsKey(Executions.text(op.key()));
      }
    }
  }

  /** Every value a GET returned was written to that key by a PUT invoked before the GET ended. */
  static void noValueNobodyWrote(List<Operation> history) {
    Map<String, List<Operation>> putsByValue = new HashMap<>();
    history.stream().filter(op -> op.command() == Command.PUT)
        .forEach(op -> putsByValue.computeIfAbsent(Executions.text(op.value()), v -> new ArrayList<>()).add(op));
    for (Operation get : history) {
      if (get.command() != Command.GET || !get.succeeded()) {
        continue;
      }
      List<Operation> writers = putsByValue.getOrDefault(Executions.text(get.value()), List.of());
      assertThat(writers).as("GET %s returned %s", Executions.text(get.key()), Executions.text(get.value()))
          .anyMatch(put -> java.util.Arrays.equals(put.key(), get.key())
              && put.invokedAtMillis() <= get.completedAtMillis());
    }
  }

  /**
   * Replays each key's history (one client, one request at a time) as a register with stable
   * ownership: every answer must be the last acknowledged write or one whose outcome the client
   * never learnt, and so must the owner's final value. Returns the number of keys checked.
   */
  static int outcomesMatchFinalState(KvCluster cluster) {
    Map<String, List<Operation>> byKey = new TreeMap<>();
    cluster.history().forEach(op -> byKey.computeIfAbsent(Executions.text(op.key()), k -> new ArrayList<>()).add(op));
    for (List<Operation> ops : byKey.values()) {
      ops.sort(Comparator.comparingLong(Operation::id));
      String state = ABSENT;
      Set<String> unknown = new HashSet<>();
      for (Operation op : ops) {
        String written = op.command() == Command.PUT ? Executions.text(op.value()) : ABSENT;
        boolean writes = op.command() != Command.GET;
        if (writes && !op.succeeded() && op.code() != ResponseCode.NOT_FOUND.code) {
          unknown.add(written); // timed out (or refused: then it did not run, which is also allowed)
          continue;
        }
        String seen = switch (op.command()) {
          case PUT -> null;
          case REMOVE -> op.succeeded() ? "<present>" : ABSENT;
          default -> op.succeeded() ? Executions.text(op.value()) : op.code() == ResponseCode.NOT_FOUND.code ? ABSENT : null;
        };
        if ("<present>".equals(seen)) {
          assertThat(!state.equals(ABSENT) || unknown.stream().anyMatch(v -> !v.equals(ABSENT)))
              .as("REMOVE of %s found a value: %s", Executions.text(op.key()), ops).isTrue();
        } else if (seen != null) {
          assertThat(seen.equals(state) || unknown.contains(seen))
              .as("%s of %s saw %s; state %s, unknown %s: %s", op.command(), Executions.text(op.key()), seen,
                  state, unknown, ops)
              .isTrue();
        }
        if (op.command() == Command.PUT) {
          state = written;
        } else if (seen != null) {
          state = "<present>".equals(seen) ? ABSENT : seen;
        }
      }
      byte[] key = ops.get(0).key();
      KvNode owner = cluster.ownerSeenBy(cluster.node(0), key);
      VersionedRecord stored = owner.storage().get(key);
      String last = stored == null ? ABSENT : Executions.text(stored.value());
      assertThat(last.equals(state) || unknown.contains(last))
          .as("final value of %s on its owner: %s; state %s, unknown %s: %s", Executions.text(key), last, state,
              unknown, ops)
          .isTrue();
    }
    return byKey.size();
  }
}
