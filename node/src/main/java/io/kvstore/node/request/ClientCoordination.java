package io.kvstore.node.request;

import io.kvstore.node.replication.Coordinator;
import io.kvstore.node.replication.ReplicationStats;
import io.kvstore.protocol.ResponseCode;
import io.kvstore.protocol.Wire;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client side of coordination in a pipeline: hands a request for a key held elsewhere to the
 * {@link Coordinator}, absorbs its retransmissions while it is in flight (a REMOVE must not run
 * twice), and lets the retry of a write that ended 0x22 resume that write (same operation, attempt
 * and version). Single-threaded, like its pipeline.
 */
final class ClientCoordination {
  /** Unfinished writes remembered per pipeline for their retries. */
  static final int UNFINISHED_WRITES = 4_096;

  /** The at-most-once identity of a request: a retransmission has the same one. */
  record InFlight(long sourceKey, long idHi, long idLo, long fingerprint) {}

  /** A request being coordinated: what its reply needs once the replicas answered. */
  record PendingReply(InFlight identity, InetSocketAddress client, byte[] id, long fingerprint,
      int requestBytes, long startedNanos) {}

  /** The pipeline's replies. */
  interface Replies {
    /** The replicas answered (or did not in time): reply to the client. */
    void coordinated(PendingReply request, ResponseCode code, byte[] value);

    /** Refused before it started (too much in flight): 0x03 at once. */
    void overloaded(ClientRequest request);
  }

  private final Coordinator coordinator;
  private final ReplicationStats stats;
  private final CommandExecutor executor;
  private final Replies replies;
  private final Map<InFlight, PendingReply> inFlight = new HashMap<>();
  private final Map<InFlight, Coordinator.WriteAttempt> unfinished =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InFlight, Coordinator.WriteAttempt> eldest) {
          return size() > UNFINISHED_WRITES;
        }
      };

  ClientCoordination(Coordinator coordinator, ReplicationStats stats, CommandExecutor executor,
      Replies replies) {
    this.coordinator = coordinator;
    this.stats = stats;
    this.executor = executor;
    this.replies = replies;
  }

  /** The key's replicas if other nodes hold it (then {@link #coordinate}), else null. */
  io.kvstore.node.cluster.Ring.Owner[] replicasElsewhere(byte[] key) {
    return coordinator.replicasElsewhere(key);
  }

  void coordinate(ClientRequest r, io.kvstore.node.cluster.Ring.Owner[] replicas, long started) {
    InFlight identity = new InFlight(r.sourceKey(), r.idHi(), r.idLo(), r.fingerprint());
    if (inFlight.containsKey(identity)) {
      stats.inFlightRetransmissions.increment(); // the answer is on its way
      return;
    }
    byte[] id = new byte[Wire.REQUEST_ID_LENGTH];
    r.buffer().get(r.start(), id);
    PendingReply p =
        new PendingReply(identity, r.source(), id, r.fingerprint(), r.declaredLength(), started);
    Coordinator.Completion done = (code, value, unfinishedWrite) -> {
      inFlight.remove(identity);
      if (unfinishedWrite != null) {
        unfinished.put(identity, unfinishedWrite);
      }
      replies.coordinated(p, code, value);
    };
    inFlight.put(identity, p);
    boolean admitted = switch (r.command()) {
      case PUT -> {
        executor.writesToSync();
        yield coordinator.put(r.key(), r.value(), replicas, unfinished.remove(identity), done);
      }
      case REMOVE -> {
        executor.writesToSync();
        yield coordinator.remove(r.key(), replicas, unfinished.remove(identity), done);
      }
      case GET -> coordinator.get(r.key(), replicas, done);
      default -> throw new IllegalStateException(r.command() + " has no key");
    };
    if (!admitted) {
      inFlight.remove(identity);
      replies.overloaded(r);
    }
  }
}
