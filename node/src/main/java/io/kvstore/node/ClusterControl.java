package io.kvstore.node;

import io.kvstore.node.cluster.ClusterCore;
import io.kvstore.node.ops.OperationVerifier;
import io.kvstore.node.ops.OpsCore;
import io.kvstore.node.ops.files.FilePush;
import io.kvstore.node.request.NodeControl;
import io.kvstore.protocol.MemberEntry;
import io.kvstore.protocol.ResponseCode;
import java.net.InetSocketAddress;
import java.util.List;

/** The node controls the pipeline exposes (GET_PID, members, SHUTDOWN, operations, file uploads). */
record ClusterControl(ClusterCore cluster, int pid, Runnable halt, OpsCore ops, FilePush files)
    implements NodeControl {
  @Override
  public OperationRefusal uploadPiece(byte[] key, byte[] piece, InetSocketAddress from) {
    if (files == null) {
      return NodeControl.super.uploadPiece(key, piece, from);
    }
    return switch (files.upload(from.getAddress(), key, piece)) {
      case ACCEPTED -> null;
      case UNKNOWN_OPERATION -> new OperationRefusal(ResponseCode.NOT_FOUND, "unknown-operation");
      case BUSY -> new OperationRefusal(ResponseCode.OVERLOAD, "busy");
      case STORE_FULL -> new OperationRefusal(ResponseCode.OUT_OF_SPACE, "store-full");
      case FAILED -> new OperationRefusal(ResponseCode.INTERNAL_FAILURE, "disk");
      case BAD_PIECE -> new OperationRefusal(ResponseCode.NOT_PERMITTED, "bad-piece");
      case CHUNK_REJECTED -> new OperationRefusal(ResponseCode.NOT_PERMITTED, "chunk-rejected");
    };
  }

  @Override
  public OperationRefusal submitOperation(byte[] operation, InetSocketAddress from) {
    OperationVerifier.Verdict verdict = ops.submit(operation, from);
    if (verdict == null) {
      return new OperationRefusal(ResponseCode.OVERLOAD, "busy");
    }
    return verdict.accepted() ? null
        : new OperationRefusal(ResponseCode.NOT_PERMITTED, verdict.refusal().wireName());
  }

  @Override
  public int liveMembers() {
    return cluster.liveMembers();
  }

  @Override
  public List<MemberEntry> members() {
    return cluster.members().stream()
        .map(m -> new MemberEntry(m.state().ordinal(), m.incarnation(), m.id().value(), m.address()))
        .toList();
  }

  @Override
  public void haltNow() {
    halt.run();
  }
}
