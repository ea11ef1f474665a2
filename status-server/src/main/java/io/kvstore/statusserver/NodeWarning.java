package io.kvstore.statusserver;

/** Something about a node its operator should act on, shown as a badge on the dashboard. */
public enum NodeWarning {
  /** Its count of internal frames refused for a bad or missing HMAC tag grew since its last report. */
  REJECTING_FRAMES(
      "rejecting-frames",
      "rejecting internal frames it cannot authenticate: cluster secret mismatch?"),
  /** It runs with --insecure: its internal traffic is not authenticated. */
  INSECURE("insecure", "runs --insecure: internal traffic is not authenticated");

  /** Stats the warnings are derived from (counter of refused frames; insecure flag). */
  static final String REJECTED_STAT = "internal.unauthenticated";
  static final String INSECURE_STAT = "security.insecure";

  private final String code;
  private final String text;

  NodeWarning(String code, String text) {
    this.code = code;
    this.text = text;
  }

  public String code() {
    return code;
  }

  public String text() {
    return text;
  }
}
