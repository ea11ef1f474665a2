package io.kvstore.node.request;

import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.ReplyEncoder;
import io.kvstore.protocol.ResponseCode;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes a client request on this node and encodes its reply with the protocol's
 * {@link ReplyEncoder}: the last stages of the pipeline. Not thread-safe: one per pipeline.
 */
final class CommandExecutor {
  private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);
  /** LIST_MEMBERS pages stay well under the 64 KiB a UDP datagram can carry. */
  static final int MAX_MEMBERS_PAGE = 48 * 1024;

  private final KeyValueService service;
  private final NodeControl node;
  private final RequestStats stats;
  private final ValueReply valueReply = new ValueReply();
  private boolean unsyncedWrites;

  CommandExecutor(KeyValueService service, NodeControl node, RequestStats stats) {
    this.service = service;
    this.node = node;
    this.stats = stats;
  }

  /**
   * Executes {@code request} and writes its reply into {@code out} (cleared first, flipped after).
   *
   * @return false if the reply must not be cached: the request failed inside the node ({@code
   *     out} then holds a 0x04 reply) or was refused for overload (0x03), and a retransmission may
   *     succeed
   */
  boolean execute(ClientRequest request, ByteBuffer out) {
    Command command = request.command();
    stats.executed(command);
    out.clear();
    try {
      boolean cacheable = encode(request, command, out);
      out.flip();
      return cacheable;
    } catch (RuntimeException e) {
      stats.internalFailures.increment();
      log.error("{} from {} failed", command, request.source(), e);
      out.clear();
      ReplyEncoder.code(out, request.buffer(), request.start(), ResponseCode.INTERNAL_FAILURE);
      out.flip();
      return false;
    }
  }

  /** Writes the reply; false when it is an overload refusal (never cached). */
  private boolean encode(ClientRequest request, Command command, ByteBuffer out) {
    ByteBuffer in = request.buffer();
    int id = request.start();
    switch (command) {
      case PUT -> {
        unsyncedWrites = true;
        ReplyEncoder.code(out, in, id, service.put(request.key(), request.value()));
      }
      case GET -> {
        if (!valueReply.readInto(out, in, id, request.lookupKey())) {
          ReplyEncoder.code(out, in, id, ResponseCode.NOT_FOUND);
        }
      }
      case REMOVE -> {
        unsyncedWrites = true;
        ReplyEncoder.code(out, in, id, service.remove(request.key()));
      }
      case WIPEOUT -> {
        service.wipeout();
        ReplyEncoder.code(out, in, id, ResponseCode.SUCCESS);
      }
      case SHUTDOWN, IS_ALIVE -> ReplyEncoder.code(out, in, id, ResponseCode.SUCCESS);
      case OPS_SUBMIT, OPS_CHUNK -> {
        NodeControl.OperationRefusal refusal = command == Command.OPS_SUBMIT
            ? node.submitOperation(request.value(), request.source())
            : node.uploadPiece(request.key(), request.value(), request.source());
        if (refusal == null) {
          ReplyEncoder.code(out, in, id, ResponseCode.SUCCESS);
        } else if (refusal.code() == ResponseCode.NOT_PERMITTED) {
          ReplyEncoder.codeWithValue(out, in, id, refusal.code(),
              refusal.reason().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } else {
          ReplyEncoder.code(out, in, id, refusal.code());
          return refusal.code() != ResponseCode.OVERLOAD;
        }
      }
      case GET_PID -> ReplyEncoder.withInt(out, in, id, node.pid());
      case GET_MEMBERSHIP_COUNT -> ReplyEncoder.withInt(out, in, id, node.liveMembers());
      case LIST_MEMBERS -> {
        out.limit(MAX_MEMBERS_PAGE - MembersTrailer.LENGTH);
        ReplyEncoder.membersPage(out, in, id, node.members(), request.listStart());
        out.limit(MAX_MEMBERS_PAGE);
        MembersTrailer.put(out, stats.insecure(), stats.unauthenticated.sum());
      }
    }
    return true;
  }

  /**
   * A GET's value reply, written from the stored record itself while storage holds the key's lock
   * (no copy of the value, no record per GET: young collections are the event loop's pauses).
   * One per executor, refilled per GET.
   */
  private final class ValueReply implements StorageEngine.ValueSink {
    private ByteBuffer out;
    private ByteBuffer request;
    private int id;

    /** Writes the value reply into {@code out}; false (nothing written) if the key is absent. */
    boolean readInto(ByteBuffer out, ByteBuffer request, int id, byte[] key) {
      this.out = out;
      this.request = request;
      this.id = id;
      try {
        return service.readValue(key, this);
      } finally {
        this.out = null;
        this.request = null;
      }
    }

    @Override
    public void accept(byte[] bytes, int offset, int length) {
      ReplyEncoder.valueHeader(out, request, id, length);
      out.put(bytes, offset, length);
    }
  }

  /** Writes outside this executor (replica writes) join the batch's group commit. */
  void writesToSync() {
    unsyncedWrites = true;
  }

  /**
   * Before the replies of a batch leave: hands every write so far to the operating system (one WAL
   * {@code write(2)} for the batch; also writes of other event loops whose values this batch read,
   * and nearly free when there are none), or with {@code sync} fsyncs them if this batch wrote
   * (group commit).
   *
   * @throws io.kvstore.node.storage.StorageException if the WAL could not be written or synced:
   *     nothing queued may then be sent
   */
  void endBatch(boolean sync) {
    boolean wrote = unsyncedWrites;
    unsyncedWrites = false;
    if (sync && wrote) {
      service.sync();
    } else {
      service.flushWal();
    }
  }
}
