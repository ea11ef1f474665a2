package io.kvstore.history;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Hand-written histories: operations with explicit times (in ms, stored as nanos). */
final class Ops {
  private final List<Op> ops = new ArrayList<>();

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Op add(int process, Kind kind, String key, String value, long startMs, long endMs, Outcome outcome) {
    Op op = new Op(ops.size(), process, kind, bytes(key), value == null ? null : bytes(value), startMs * 1_000_000,
        outcome == null ? Op.PENDING : endMs * 1_000_000, outcome);
    ops.add(op);
    return op;
  }

  Op put(String key, String value, long start, long end) {
    return add(0, Kind.PUT, key, value, start, end, Outcome.OK_WRITE);
  }

  Op put(String key, String value, long start, long end, Outcome outcome) {
    return add(0, Kind.PUT, key, value, start, end, outcome);
  }

  Op remove(String key, long start, long end) {
    return add(0, Kind.REMOVE, key, null, start, end, Outcome.OK_WRITE);
  }

  Op remove(String key, long start, long end, Outcome outcome) {
    return add(0, Kind.REMOVE, key, null, start, end, outcome);
  }

  /** A GET that returned {@code value} (null: not found). */
  Op get(String key, String value, long start, long end) {
    return add(1, Kind.GET, key, value, start, end, value == null ? Outcome.OK_NOT_FOUND : Outcome.OK_VALUE);
  }

  Op get(String key, long start, long end, Outcome outcome) {
    return add(1, Kind.GET, key, null, start, end, outcome);
  }

  CheckResult check() {
    return HistoryChecker.check(ops, Long.MAX_VALUE, 0, 100);
  }

  List<Op> all() {
    return ops;
  }
}
