package io.kvstore.history;

import java.util.List;

/**
 * A read no write explains, with the minimal history that shows it.
 *
 * @param read the GET whose answer is wrong
 * @param shouldHaveSeen the acknowledged write that ended before the read began and started last:
 *     the read had to return it or something newer (null for a phantom)
 * @param candidates the writes of the value read (for "not found": the REMOVEs the read could
 *     have seen, the initial absent state aside), at most a few
 * @param allowed a few of the writes whose value the read could have returned
 */
public record Violation(Type type, byte[] key, Op read, Op shouldHaveSeen, List<Op> candidates, List<Op> allowed) {

  public enum Type {
    /** A value no write of this key invoked before the read ended had written. */
    PHANTOM_VALUE,
    /** An older value (or "not found") although an acknowledged PUT ended before the read began. */
    LOST_WRITE,
    /** A value although an acknowledged REMOVE of it ended before the read began. */
    RESURRECTION
  }

  public String describe() {
    StringBuilder s = new StringBuilder();
    s.append(type).append(" on key ").append(Op.text(key)).append('\n');
    s.append("  read:               ").append(read.describe()).append('\n');
    if (shouldHaveSeen != null) {
      s.append("  should have seen:   ").append(shouldHaveSeen.describe())
          .append("  (acknowledged before the read began; the read must return it or something newer)\n");
    }
    String what = read.outcome() == Outcome.OK_NOT_FOUND ? "REMOVEs it could have seen" : "writes of that value";
    if (candidates.isEmpty()) {
      s.append("  ").append(what).append(": none").append(
          read.outcome() == Outcome.OK_NOT_FOUND ? " (and the initial absent state was overwritten)\n" : "\n");
    }
    for (Op c : candidates) {
      s.append("  ").append(what).append(": ").append(c.describe()).append('\n');
    }
    for (Op a : allowed) {
      s.append("  it could have returned: ").append(a.describe()).append('\n');
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return describe();
  }
}
