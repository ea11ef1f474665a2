package io.kvstore.node.replication;

import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.protocol.InternalFrame;
import io.kvstore.protocol.Wire;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Replica traffic between a coordinator and a key's replicas (internal types 0x50-0x53). The id
 * names the coordinator's operation and attempt, and is echoed in the answer, so an answer to an
 * earlier attempt or to a previous life of the coordinator is recognised and ignored.
 *
 * <pre>
 * WRITE      id | 0x50 | version | key(32) | flags(1) | timestamp(8) | value length(2) | value
 *            flags: bit 0 tombstone, bit 1 repair (read repair, hint, anti-entropy: not a client write)
 * WRITE_ACK  id | 0x51 | version | result(1: bit 7 replaced a live value) | stored timestamp(8)
 * READ       id | 0x52 | version | key(32)
 * READ_REPLY id | 0x53 | version | status(1) | flags(1) | timestamp(8) | value length(2) | value
 *            flags: bit 0 incomplete (the replica is still receiving the key's range)
 * id         operation number(8) | attempt(4) | zero(4)
 * </pre>
 */
public final class ReplicaFrames {
  public static final int WRITE = 0x50;
  public static final int WRITE_ACK = 0x51;
  public static final int READ = 0x52;
  public static final int READ_REPLY = 0x53;
  /** No frame of this codec is shorter than its header. */
  public static final int MIN_FRAME = InternalFrame.HEADER;
  /** The frame types of this codec. */
  public static final int[] TYPES = {WRITE, WRITE_ACK, READ, READ_REPLY};

  private static final int TOMBSTONE = 1;
  private static final int REPAIR = 2;
  private static final int INCOMPLETE = 1;
  private static final int REPLACED_LIVE = 0x80;

  /** What a replica did with a write. */
  public enum AckResult {
    /** Stored, or it already held exactly this version. */
    APPLIED,
    /** It holds a newer version (its timestamp is in the ack). */
    STALE,
    /** Refused: out of space or quota. */
    FULL,
    /** Refused: the record is older than the tombstone-collection horizon, or storage failed. */
    REFUSED
  }

  /** What a replica holds for a key. */
  public enum ReadStatus {
    FOUND, TOMBSTONE, ABSENT, FAILED
  }

  public record Write(long operation, int attempt, byte[] key, VersionedRecord record, boolean repair) {}

  /**
   * @param storedTimestamp the version the replica holds now (its own when STALE)
   * @param replacedLive a tombstone replaced a live value (REMOVE answers "removed", not 0x01)
   */
  public record Ack(long operation, int attempt, AckResult result, long storedTimestamp,
      boolean replacedLive) {}

  public record Read(long operation, int attempt, byte[] key) {}

  /**
   * @param record null if absent (or failed)
   * @param incomplete the replica may be missing writes of this key's range (still receiving it)
   */
  public record ReadReply(long operation, int attempt, ReadStatus status, VersionedRecord record,
      boolean incomplete) {}

  /** A frame that does not decode as its type says. */
  public static final class MalformedFrameException extends RuntimeException {
    MalformedFrameException(String message) {
      super(message, null, false, false);
    }
  }

  private ReplicaFrames() {}

  public static byte[] write(long operation, int attempt, byte[] key, VersionedRecord record,
      boolean repair) {
    ByteBuffer out = FrameLayout.header(operation, attempt, WRITE, Wire.KEY_LENGTH + 11 + record.value().length);
    out.put(key);
    out.put((byte) ((record.tombstone() ? TOMBSTONE : 0) | (repair ? REPAIR : 0)));
    out.putLong(record.timestamp());
    out.putShort((short) record.value().length);
    out.put(record.value());
    return out.array();
  }

  public static byte[] ack(Ack ack) {
    ByteBuffer out = FrameLayout.header(ack.operation(), ack.attempt(), WRITE_ACK, 9);
    out.put((byte) (ack.result().ordinal() | (ack.replacedLive() ? REPLACED_LIVE : 0)));
    out.putLong(ack.storedTimestamp());
    return out.array();
  }

  public static byte[] read(long operation, int attempt, byte[] key) {
    ByteBuffer out = FrameLayout.header(operation, attempt, READ, Wire.KEY_LENGTH);
    out.put(key);
    return out.array();
  }

  public static byte[] readReply(ReadReply reply) {
    VersionedRecord record = reply.record();
    byte[] value = record == null ? new byte[0] : record.value();
    ByteBuffer out = FrameLayout.header(reply.operation(), reply.attempt(), READ_REPLY, 12 + value.length);
    out.put((byte) reply.status().ordinal());
    out.put((byte) (reply.incomplete() ? INCOMPLETE : 0));
    out.putLong(record == null ? 0 : record.timestamp());
    out.putShort((short) value.length);
    out.put(value);
    return out.array();
  }

  public static Write decodeWrite(byte[] frame) {
    ByteBuffer in = FrameLayout.body(frame, WRITE);
    try {
      byte[] key = new byte[Wire.KEY_LENGTH];
      in.get(key);
      int flags = in.get() & 0xFF;
      long timestamp = in.getLong();
      byte[] value = value(in);
      boolean tombstone = (flags & TOMBSTONE) != 0;
      if ((flags & ~(TOMBSTONE | REPAIR)) != 0 || (tombstone && value.length > 0) || timestamp < 0) {
        throw new MalformedFrameException("bad write flags or timestamp");
      }
      return new Write(in.getLong(0), in.getInt(8), key,
          new VersionedRecord(timestamp, tombstone, value), (flags & REPAIR) != 0);
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated write");
    }
  }

  public static Ack decodeAck(byte[] frame) {
    ByteBuffer in = FrameLayout.body(frame, WRITE_ACK);
    try {
      int flags = in.get() & 0xFF;
      int result = flags & ~REPLACED_LIVE;
      long stored = in.getLong();
      if (result >= AckResult.values().length || in.hasRemaining() || stored < 0) {
        throw new MalformedFrameException("bad write ack");
      }
      return new Ack(in.getLong(0), in.getInt(8), AckResult.values()[result], stored,
          (flags & REPLACED_LIVE) != 0);
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated write ack");
    }
  }

  public static Read decodeRead(byte[] frame) {
    ByteBuffer in = FrameLayout.body(frame, READ);
    if (in.remaining() != Wire.KEY_LENGTH) {
      throw new MalformedFrameException("a read carries exactly one key");
    }
    byte[] key = new byte[Wire.KEY_LENGTH];
    in.get(key);
    return new Read(in.getLong(0), in.getInt(8), key);
  }

  public static ReadReply decodeReadReply(byte[] frame) {
    ByteBuffer in = FrameLayout.body(frame, READ_REPLY);
    try {
      int status = in.get() & 0xFF;
      int flags = in.get() & 0xFF;
      long timestamp = in.getLong();
      byte[] value = value(in);
      if (status >= ReadStatus.values().length || (flags & ~INCOMPLETE) != 0 || timestamp < 0) {
        throw new MalformedFrameException("bad read reply");
      }
      ReadStatus s = ReadStatus.values()[status];
      VersionedRecord record = switch (s) {
        case FOUND -> VersionedRecord.live(timestamp, value);
        case TOMBSTONE -> {
          if (value.length > 0) {
            throw new MalformedFrameException("a tombstone has no value");
          }
          yield VersionedRecord.tombstone(timestamp);
        }
        case ABSENT, FAILED -> {
          if (value.length > 0 || timestamp != 0) {
            throw new MalformedFrameException("no record, yet a version");
          }
          yield null;
        }
      };
      return new ReadReply(in.getLong(0), in.getInt(8), s, record, (flags & INCOMPLETE) != 0);
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated read reply");
    }
  }

  /** The operation number of any frame of this codec (its first 8 bytes). */
  public static long operation(byte[] frame) {
    return ByteBuffer.wrap(frame).getLong(0);
  }



  private static byte[] value(ByteBuffer in) {
    int length = in.getShort() & 0xFFFF;
    if (length > Wire.MAX_VALUE_LENGTH || length != in.remaining()) {
      throw new MalformedFrameException("value length " + length + " does not match the frame");
    }
    byte[] value = new byte[length];
    in.get(value);
    return value;
  }
}
