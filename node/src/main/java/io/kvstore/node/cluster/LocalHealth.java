package io.kvstore.node.cluster;

/**
 * Lifeguard's local health (memberlist calls it awareness): a score that rises when the evidence
 * says this node, not its peers, is slow (probes that fail while the helpers' nacks also go
 * missing, accusations it must refute) and falls with every ack. Our own probe interval and
 * timeouts stretch by (score + 1), so a starved node stops accusing healthy ones.
 */
final class LocalHealth {
  private final int max;
  private int score;

  LocalHealth(int max) {
    this.max = max;
  }

  /** Raises (positive) or lowers (negative) the score, within [0, max]. */
  void adjust(int delta) {
    score = Math.max(0, Math.min(max, score + delta));
  }

  int score() {
    return score;
  }

  /** A timeout or interval stretched by the current score. */
  long scale(long millis) {
    return millis * (score + 1);
  }
}
