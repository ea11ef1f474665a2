package io.kvstore.statusserver;

import java.util.Locale;
import java.util.Optional;

/** A member's state as SWIM reports it, ranked so that conflicting views resolve as in SWIM. */
enum MembershipState {
  ALIVE(0),
  SUSPECT(1),
  DEAD(2),
  LEFT(2);

  private final int rank;

  MembershipState(int rank) {
    this.rank = rank;
  }

  /** The state named, in any case; empty for null or an unknown name. */
  static Optional<MembershipState> parse(String state) {
    if (state == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(state.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether a view at {@code incarnation} replaces this one at {@code current}: a higher
   * incarnation always does; at the same incarnation only news that is worse does.
   */
  boolean isOverriddenBy(MembershipState other, long incarnation, long current) {
    return incarnation > current || (incarnation == current && other.rank > rank);
  }
}
