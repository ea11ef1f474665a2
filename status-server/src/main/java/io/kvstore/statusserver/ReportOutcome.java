package io.kvstore.statusserver;

/** What became of one authenticated, well-formed report. Each outcome has its own counter. */
public enum ReportOutcome {
  ACCEPTED,
  /** The node id is not in the membership the server polled: invented nodes are never shown. */
  NOT_A_MEMBER,
  /** The report answers no recent collection round, or repeats one already taken (a replay). */
  STALE_OR_REPLAYED,
  /** More stats or labels, or longer names, than {@link ReportLimits} allow. */
  OVER_LIMITS,
  /** Keeping it would exceed the view's memory budget. */
  OVER_MEMORY_BUDGET
}
