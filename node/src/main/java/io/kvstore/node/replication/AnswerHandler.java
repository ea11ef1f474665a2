package io.kvstore.node.replication;

import java.net.InetSocketAddress;

/** Takes the replica answers (WRITE_ACK, READ_REPLY) to the operations it numbered. */
@FunctionalInterface
public interface AnswerHandler {
  /** On the handler's own thread (the registry hands the answer over). */
  void onAnswer(InetSocketAddress from, byte[] frame, int type);
}
