package io.kvstore.node.ops.run;

import io.kvstore.node.ops.codec.SignedOperation;

/**
 * The port through which verified operations leave the protocol: called once per operation, on
 * the node it targets, after the operation was remembered (so a restart cannot run it again).
 * Called on the membership thread: it must return at once (queue, run elsewhere). The bash
 * runner (slice ops-runner) implements it in a real node, a recording runner in the simulator.
 */
@FunctionalInterface
public interface OperationRunner {
  void run(SignedOperation op);

  /**
   * An accepted operation that a client submitted to this node although it does not target it:
   * nothing runs here. The client's upload of a FILE operation comes to this node all the same,
   * so file push keeps and serves the chunks (without writing the file). Membership thread.
   */
  default void originOnly(SignedOperation op) {}
}
