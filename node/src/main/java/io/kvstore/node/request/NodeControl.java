package io.kvstore.node.request;

import io.kvstore.protocol.MemberEntry;
import io.kvstore.protocol.ResponseCode;
import java.net.InetSocketAddress;
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

  /** Why OPS_SUBMIT was not accepted: 0x21 with the reason as the reply's value, or 0x03. */
  record OperationRefusal(ResponseCode code, String reason) {}

  /**
   * OPS_SUBMIT: hands a signed operation to the node's operations (node.ops): verified here,
   * then spread. Null when accepted (and spreading), else the refusal. A node without an
   * operations core refuses every operation as disabled.
   */
  default OperationRefusal submitOperation(byte[] operation, InetSocketAddress from) {
    return new OperationRefusal(ResponseCode.NOT_PERMITTED, "disabled");
  }

  /**
   * OPS_CHUNK: one piece of a pushed file for a FILE operation this node holds. Null when kept,
   * else the refusal: 0x01 (no such operation here yet), 0x03 (busy), 0x02 (chunk store full),
   * 0x04 (disk error) or 0x21 with the reason. A node without file push holds no operation.
   * {@code from}: the datagram's source (a chunk being uploaded belongs to the address that began it).
   */
  default OperationRefusal uploadPiece(byte[] key, byte[] piece, InetSocketAddress from) {
    return new OperationRefusal(ResponseCode.NOT_FOUND, "no file operation");
  }
}
