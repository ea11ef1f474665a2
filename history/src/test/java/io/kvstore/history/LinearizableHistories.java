package io.kvstore.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random histories of a correct store: each operation takes effect at one instant inside its
 * interval (an unknown write at that instant or never), reads return the state at theirs. Such a
 * history is linearizable, so it must pass the (weaker) regular-register check.
 */
final class LinearizableHistories {
  private LinearizableHistories() {}

  /**
   * @param keys keys 0..keys-1; key 0 is hot (half of all operations)
   * @param processes concurrent clients, each running one operation at a time
   */
  static List<Op> generate(long seed, int count, int keys, int processes) {
    SplittableRandom random = new SplittableRandom(seed);
    record Planned(Op op, long effectAt, boolean takesEffect) {}
    List<Planned> planned = new ArrayList<>(count);
    long[] freeAt = new long[processes];
    for (int i = 0; i < count; i++) {
      int p = random.nextInt(processes);
      long start = freeAt[p] + random.nextInt(1_000);
      long end = start + 1 + random.nextInt(50_000);
      freeAt[p] = end;
      long effect = start + random.nextLong(end - start + 1);
      int k = random.nextBoolean() ? 0 : random.nextInt(keys);
      byte[] key = Ops.bytes("key-" + k);
      int roll = random.nextInt(100);
      Kind kind = roll < 40 ? Kind.PUT : roll < 85 ? Kind.GET : Kind.REMOVE;
      Outcome outcome = kind == Kind.GET ? null : random.nextInt(20) == 0 ? Outcome.UNKNOWN : Outcome.OK_WRITE;
      boolean takesEffect = outcome != Outcome.UNKNOWN || random.nextBoolean();
      Op op = new Op(i, p, kind, key, kind == Kind.PUT ? Ops.bytes("v" + i) : null, start, end, outcome);
      planned.add(new Planned(op, effect, takesEffect));
    }
    planned.sort(Comparator.comparingLong(Planned::effectAt));
    Map<String, byte[]> state = new HashMap<>();
    List<Op> ops = new ArrayList<>(count);
    for (Planned pl : planned) {
      Op op = pl.op();
      String key = new String(op.key());
      if (op.kind() == Kind.GET) {
        byte[] v = state.get(key);
        ops.add(new Op(op.id(), op.process(), op.kind(), op.key(), v, op.invokedNanos(), op.completedNanos(),
            v == null ? Outcome.OK_NOT_FOUND : Outcome.OK_VALUE));
        continue;
      }
      if (pl.takesEffect()) {
        if (op.kind() == Kind.PUT) {
          state.put(key, op.value());
        } else {
          state.remove(key);
        }
      }
      ops.add(op);
    }
    ops.sort(Comparator.comparingLong(Op::invokedNanos));
    return ops;
  }
}
