package io.kvstore.node.ops;

import java.net.InetSocketAddress;
import java.util.List;

/** Who dissemination may send to: live members only (never a frame's claimed source that is none). */
public interface OpsMembers {
  /** Up to {@code count} random live members, not this node. */
  List<InetSocketAddress> randomAlive(int count);

  /** Whether a live member is at {@code address}. */
  boolean isMember(InetSocketAddress address);
}
