package io.kvstore.history;

/** What a client operation does to its key's register. REMOVE writes "absent". */
public enum Kind {
  PUT,
  GET,
  REMOVE;

  public boolean writes() {
    return this != GET;
  }
}
