package io.kvstore.node.replication;

import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.protocol.InternalFrame;
import io.kvstore.protocol.Wire;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Range streaming between nodes when the ring changes (internal types 0x58-0x5B, each under 16 KiB; docs/REPLICATION.md
 * "Rebalancing"). The id names the sender's pass and the batch in it, and is echoed by the ack, so a
 * late ack of an earlier pass (or an earlier life of the sender) is recognised and ignored.
 *
 * <pre>
 * BATCH   id | 0x58 | version | ring(8) | count(2) | count x (key(32) | flags(1: bit 0 tombstone)
 *         | timestamp(8) | value length(2) | value)
 * ACK     id | 0x59 | version | applied(2) | stale(2) | refused(2)      (answers BATCH and DONE)
 * DONE    id | 0x5A | version | ring(8)   "every record I hold that you gained under this ring
 *                                          has been acknowledged by you"
 * REQUEST id | 0x5B | version | ring(8)   "I am still missing ranges under this ring: stream me
 *                                          everything I replicate, then DONE"
 * id      pass number(8) | batch number(4) | zero(4)
 * ring    Ring.fingerprint(): the same on every node whose ring has the same members
 * </pre>
 */
public final class RangeStreamFrames {
  public static final int BATCH = 0x58;
  public static final int ACK = 0x59;
  public static final int DONE = 0x5A;
  public static final int REQUEST = 0x5B;
  public static final int[] TYPES = {BATCH, ACK, DONE, REQUEST};
  /**
   * A batch's body never exceeds this: with header and authentication tag the datagram stays under
   * the 16 KiB a node reads of any datagram (UdpTransport.DATAGRAM_SLOT; more is cut and then fails
   * authentication).
   */
  public static final int MAX_BATCH_BODY = 16_000;
  /** Bytes one record takes in a batch besides its value. */
  public static final int RECORD_OVERHEAD = Wire.KEY_LENGTH + 1 + 8 + 2;
  private static final int BATCH_HEAD = 8 + 2;
  private static final int TOMBSTONE = 1;

  /** One streamed record. */
  public record Entry(byte[] key, VersionedRecord record) {
    public int encodedLength() {
      return RECORD_OVERHEAD + record.value().length;
    }
  }

  public record Batch(long pass, int number, long ring, List<Entry> entries) {}

  public record Ack(long pass, int number, int applied, int stale, int refused) {}

  /** DONE or REQUEST: a pass and a ring. */
  public record RingNotice(long pass, int number, long ring) {}

  private RangeStreamFrames() {}

  /** Whether {@code entries} plus one of {@code nextLength} bytes still fit one batch. */
  public static boolean fits(int bodyBytes, int nextLength) {
    return BATCH_HEAD + bodyBytes + nextLength <= MAX_BATCH_BODY;
  }

  public static byte[] batch(long pass, int number, long ring, List<Entry> entries) {
    int body = BATCH_HEAD;
    for (Entry e : entries) {
      body += e.encodedLength();
    }
    if (body > MAX_BATCH_BODY || entries.size() > 0xFFFF) {
      throw new IllegalArgumentException("batch of " + body + " bytes exceeds " + MAX_BATCH_BODY);
    }
    ByteBuffer out = FrameLayout.header(pass, number, BATCH, body);
    out.putLong(ring).putShort((short) entries.size());
    for (Entry e : entries) {
      VersionedRecord r = e.record();
      out.put(e.key()).put((byte) (r.tombstone() ? TOMBSTONE : 0)).putLong(r.timestamp())
          .putShort((short) r.value().length).put(r.value());
    }
    return out.array();
  }

  public static byte[] ack(Ack ack) {
    ByteBuffer out = FrameLayout.header(ack.pass(), ack.number(), ACK, 6);
    out.putShort((short) ack.applied()).putShort((short) ack.stale()).putShort((short) ack.refused());
    return out.array();
  }

  public static byte[] done(long pass, int number, long ring) {
    return notice(pass, number, DONE, ring);
  }

  public static byte[] request(long pass, long ring) {
    return notice(pass, 0, REQUEST, ring);
  }

  private static byte[] notice(long pass, int number, int type, long ring) {
    ByteBuffer out = FrameLayout.header(pass, number, type, 8);
    out.putLong(ring);
    return out.array();
  }

  public static Batch decodeBatch(byte[] frame) {
    ByteBuffer in = FrameLayout.body(frame, BATCH);
    try {
      long ring = in.getLong();
      int count = in.getShort() & 0xFFFF;
      // Each record takes at least RECORD_OVERHEAD bytes: a count the frame cannot hold is refused
      // before anything is allocated for it.
      if ((long) count * RECORD_OVERHEAD > in.remaining()) {
        throw new ReplicaFrames.MalformedFrameException("batch count " + count + " exceeds the frame");
      }
      List<Entry> entries = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] key = new byte[Wire.KEY_LENGTH];
        in.get(key);
        int flags = in.get() & 0xFF;
        long timestamp = in.getLong();
        int length = in.getShort() & 0xFFFF;
        boolean tombstone = (flags & TOMBSTONE) != 0;
        if ((flags & ~TOMBSTONE) != 0 || timestamp < 0 || length > Wire.MAX_VALUE_LENGTH
            || (tombstone && length > 0) || length > in.remaining()) {
          throw new ReplicaFrames.MalformedFrameException("bad record " + i + " in batch");
        }
        byte[] value = new byte[length];
        in.get(value);
        entries.add(new Entry(key, new VersionedRecord(timestamp, tombstone, value)));
      }
      if (in.hasRemaining()) {
        throw new ReplicaFrames.MalformedFrameException("trailing bytes after " + count + " records");
      }
      return new Batch(in.getLong(0), in.getInt(8), ring, entries);
    } catch (BufferUnderflowException e) {
      throw new ReplicaFrames.MalformedFrameException("truncated batch");
    }
  }

  public static Ack decodeAck(byte[] frame) {
    ByteBuffer in = FrameLayout.body(frame, ACK);
    if (in.remaining() != 6) {
      throw new ReplicaFrames.MalformedFrameException("a stream ack has 6 bytes of body");
    }
    return new Ack(in.getLong(0), in.getInt(8), in.getShort() & 0xFFFF, in.getShort() & 0xFFFF,
        in.getShort() & 0xFFFF);
  }

  /** A DONE or REQUEST frame (as {@code type} says). */
  public static RingNotice decodeNotice(byte[] frame, int type) {
    if (type != DONE && type != REQUEST) {
      throw new IllegalArgumentException("not a notice type: " + type);
    }
    ByteBuffer in = FrameLayout.body(frame, type);
    if (in.remaining() != 8) {
      throw new ReplicaFrames.MalformedFrameException("a ring notice has 8 bytes of body");
    }
    return new RingNotice(in.getLong(0), in.getInt(8), in.getLong());
  }


}
