package io.kvstore.node.transport;

/** What the transport needs to know about, and do to, the node it serves. */
public interface NodeControl {
  /** The process id reported by GET_PID. */
  int pid();

  /** Live members in this node's view, reported by GET_MEMBERSHIP_COUNT. */
  int liveMembers();

  /**
   * The body of a LIST_MEMBERS reply (after the success code): members from index {@code start}
   * on, at most {@code maxBytes}. See docs/PROTOCOL.md.
   */
  byte[] membersPage(int start, int maxBytes);

  /** SHUTDOWN: stop at once, without any graceful step (as after kill -9). */
  void haltNow();
}
