package io.kvstore.node.request;

import io.kvstore.protocol.MemberEntry;
import java.util.List;

/** The control of a node alone in its cluster (pid 1, no member list); SHUTDOWN runs {@code onHalt}. */
final class LoneNodeControl implements NodeControl {
  private final Runnable onHalt;

  LoneNodeControl(Runnable onHalt) {
    this.onHalt = onHalt;
  }

  @Override
  public int pid() {
    return 1;
  }

  @Override
  public int liveMembers() {
    return 1;
  }

  @Override
  public List<MemberEntry> members() {
    return List.of();
  }

  @Override
  public void haltNow() {
    onHalt.run();
  }
}
