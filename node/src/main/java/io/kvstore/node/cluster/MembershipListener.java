package io.kvstore.node.cluster;

/** Told of every change in a node's membership view, on the membership thread. */
@FunctionalInterface
public interface MembershipListener {
  void onMemberChanged(Member before, Member after);
}
