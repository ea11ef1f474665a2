package io.kvstore.node.request;

import io.kvstore.node.service.KeyValueService;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.ReplyEncoder;
import io.kvstore.protocol.ResponseCode;
import io.kvstore.protocol.Wire;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PUTs a batch executes on this node, held until the batch ends or another request needs the
 * store ({@link #commit}), then stored together ({@link KeyValueService#putAll}: one RocksDB write,
 * one WAL record, instead of one each) and answered in arrival order. Their replies leave with the
 * batch's flush as before, so a client sees no difference; what changes is when each PUT runs,
 * which the pipeline keeps in request order: it commits before any other request, internal frame
 * or task, and before the reply cache is asked about a request whose id is held here (a
 * retransmission in the same batch must find the original's reply, not run again).
 *
 * <p>Single-threaded, as the pipeline is; at most {@code capacity} are held (the batch size), more
 * commit first.
 */
final class BatchedPuts {
  private static final Logger log = LoggerFactory.getLogger(BatchedPuts.class);

  private final KeyValueService service;
  private final ReplyCache replyCache;
  private final ClientReplies replies;
  private final RequestStats stats;
  private final LongConsumer recordLatency;
  private final ByteBuffer out;

  private final byte[][] keys;
  private final byte[][] values;
  /** The request ids, {@link Wire#REQUEST_ID_LENGTH} bytes each: replies start with them. */
  private final ByteBuffer ids;
  private final InetSocketAddress[] sources;
  private final int[] requestBytes;
  private final long[] sourceKeys;
  private final long[] idsHi;
  private final long[] idsLo;
  private final long[] fingerprints;
  private final long[] startedNanos;
  private final ResponseCode[] codes;
  private final RuntimeException[] failures;
  private int count;

  BatchedPuts(int capacity, KeyValueService service, ReplyCache replyCache, ClientReplies replies,
      RequestStats stats, LongConsumer recordLatency) {
    this.service = service;
    this.replyCache = replyCache;
    this.replies = replies;
    this.stats = stats;
    this.recordLatency = recordLatency;
    this.out = replies.buffer();
    this.keys = new byte[capacity][];
    this.values = new byte[capacity][];
    this.ids = ByteBuffer.allocate(capacity * Wire.REQUEST_ID_LENGTH);
    this.sources = new InetSocketAddress[capacity];
    this.requestBytes = new int[capacity];
    this.sourceKeys = new long[capacity];
    this.idsHi = new long[capacity];
    this.idsLo = new long[capacity];
    this.fingerprints = new long[capacity];
    this.startedNanos = new long[capacity];
    this.codes = new ResponseCode[capacity];
    this.failures = new RuntimeException[capacity];
  }

  /** Holds a PUT to execute here; its key and value are copied (the datagram is not kept). */
  void add(ClientRequest r, long started) {
    if (count == keys.length) {
      commit();
    }
    stats.executed(Command.PUT);
    int i = count++;
    keys[i] = r.key();
    values[i] = r.value();
    ids.put(i * Wire.REQUEST_ID_LENGTH, r.buffer(), r.start(), Wire.REQUEST_ID_LENGTH);
    sources[i] = r.source();
    requestBytes[i] = r.declaredLength();
    sourceKeys[i] = r.sourceKey();
    idsHi[i] = r.idHi();
    idsLo[i] = r.idLo();
    fingerprints[i] = r.fingerprint();
    startedNanos[i] = started;
  }

  /** Whether a PUT held here has this request's identity (source and id). */
  boolean holds(ClientRequest r) {
    if (count == 0) {
      return false;
    }
    long source = r.sourceKey();
    long hi = r.idHi();
    long lo = r.idLo();
    for (int i = 0; i < count; i++) {
      if (idsLo[i] == lo && idsHi[i] == hi && sourceKeys[i] == source) {
        return true;
      }
    }
    return false;
  }

  /** Stores what is held, caches and sends the replies in arrival order; nearly free when empty. */
  void commit() {
    if (count == 0) {
      return;
    }
    int n = count;
    count = 0;
    try {
      service.putAll(keys, values, n, codes, failures);
    } catch (RuntimeException e) { // putAll reports per PUT; anything else fails them all
      Arrays.fill(codes, 0, n, null);
      Arrays.fill(failures, 0, n, e);
    }
    for (int i = 0; i < n; i++) {
      out.clear();
      if (codes[i] != null) {
        ReplyEncoder.code(out, ids, i * Wire.REQUEST_ID_LENGTH, codes[i]);
        out.flip();
        replyCache.insert(sourceKeys[i], idsHi[i], idsLo[i], fingerprints[i], out,
            startedNanos[i] / 1_000_000);
      } else { // as CommandExecutor answers a request that failed inside the node: not cached
        stats.internalFailures.increment();
        log.error("{} from {} failed", Command.PUT, sources[i], failures[i]);
        ReplyEncoder.code(out, ids, i * Wire.REQUEST_ID_LENGTH, ResponseCode.INTERNAL_FAILURE);
        out.flip();
      }
      replies.toClient(sources[i], requestBytes[i], out);
      recordLatency.accept(startedNanos[i]);
      keys[i] = null;
      values[i] = null;
      sources[i] = null;
      failures[i] = null;
    }
  }

  /** PUTs held (tests). */
  int held() {
    return count;
  }
}
