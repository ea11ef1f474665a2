package io.kvstore.statusserver;

/** What the dashboard says about a node. */
public enum NodeState {
  UP("up"),
  SUSPECT("suspect"),
  NOT_RESPONDING("not-responding"),
  DEAD("dead"),
  LEFT("left");

  private final String label;

  NodeState(String label) {
    this.label = label;
  }

  /** The name used by the JSON API, the metrics and the dashboard. */
  public String label() {
    return label;
  }
}
