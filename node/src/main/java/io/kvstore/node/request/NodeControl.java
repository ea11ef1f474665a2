package io.kvstore.node.request;

import io.kvstore.protocol.MemberEntry;
import java.util.List;

/** What the pipeline needs to know about, and do to, the node it serves. */
public interface NodeControl {
  /** The process id reported by GET_PID. */
  int pid();

  /** Live members in this node's view, reported by GET_MEMBERSHIP_COUNT. */
  int liveMembers();

  /** Every member this node knows of, in a stable order, for LIST_MEMBERS pages. */
  List<MemberEntry> members();

  /** SHUTDOWN: stop at once, without any graceful step (as after kill -9). */
  void haltNow();
}
