package io.kvstore.node.replication;

import io.kvstore.node.replication.ReplicaFrames.MalformedFrameException;
import io.kvstore.protocol.InternalFrame;
import io.kvstore.protocol.Wire;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Anti-entropy between two replicas (internal types 0x54-0x57; docs/REPLICATION.md). The
 * initiator asks, the responder answers; the id names the initiator's session and the request's
 * sequence number, echoed in the answer. Every frame stays under {@value #MAX_FRAME} bytes (the
 * node reads datagrams of up to 16 KiB whole; the cluster secret's tag comes on top).
 *
 * <pre>
 * QUERY    id | 0x54 | version | kind(1: 0 root, 1 leaves) | root(16) | count(1) | group(1) * count
 * ANSWER   id | 0x55 | version | status(1) | count(1) | (index(1) | 64 hashes(1024)) * count
 *          GROUPS: count 1, index 0, the 64 group hashes; LEAVES: per group asked, its 64 leaves
 * DIGESTS  id | 0x56 | version | from: flag(1) key(32) | through: flag(1) key(32)
 *          | differing leaves (4096-bit mask, 512) | count(2) | (key(32) ts(8) tombstone(1) hash(8)) * count
 *          flag 0: no key (from: the first key; through: the end of the store)
 * DIGESTS_REPLY id | 0x57 | version | status(1: 0 ok, 1 busy) | through: flag(1) key(32)
 *          | count(2) | key(32) * count   (the keys the initiator should push)
 * id       session(8) | sequence(4) | zero(4)
 * </pre>
 */
public final class AntiEntropyFrames {
  public static final int QUERY = 0x54;
  public static final int ANSWER = 0x55;
  public static final int DIGESTS = 0x56;
  public static final int DIGESTS_REPLY = 0x57;
  public static final int[] TYPES = {QUERY, ANSWER, DIGESTS, DIGESTS_REPLY};
  public static final int MAX_FRAME = 16_000;
  /** Groups whose leaves one ANSWER carries at most. */
  public static final int MAX_GROUPS_PER_ANSWER = 14;
  /** Record digests in one DIGESTS frame at most (and so keys in one reply). */
  public static final int MAX_DIGESTS = 300;

  private static final int HASHES = MerkleTree.GROUP_SIZE * MerkleTree.HASH;
  private static final int MASK_BYTES = MerkleTree.LEAVES / 8;
  private static final int DIGEST_BYTES = Wire.KEY_LENGTH + 8 + 1 + 8;

  public enum QueryKind { ROOT, LEAVES }

  public enum Status {
    /** The roots are equal: nothing to repair. */
    EQUAL,
    /** The roots differ; here are the group hashes. */
    GROUPS,
    /** The leaves of the groups asked. */
    LEAVES,
    /** Still building the tree: ask again. */
    BUILDING,
    /** Too many sessions at once: try later. */
    BUSY,
    /** No such session (expired, or the responder restarted). */
    UNKNOWN
  }

  public record Query(long session, int sequence, QueryKind kind, byte[] root, int[] groups) {}

  /** @param hashes per entry of {@code indices}, 64 hashes of 16 bytes */
  public record Answer(long session, int sequence, Status status, int[] indices, byte[][] hashes) {
    public static Answer of(Query q, Status status) {
      return new Answer(q.session(), q.sequence(), status, new int[0], new byte[0][]);
    }
  }

  /** One record's version as the peer compares it: key, timestamp, tombstone and its hash's first 8 bytes. */
  public record Digest(byte[] key, long timestamp, boolean tombstone, long hash) {}

  /** The initiator's digests of its records in the differing leaves, keys in (from, through]. */
  public record Digests(long session, int sequence, byte[] from, byte[] through, BitSet leaves,
      List<Digest> entries) {}

  /** @param through where the responder got to (null: the end of the store) */
  public record DigestsReply(long session, int sequence, boolean busy, byte[] through, List<byte[]> pulls) {}

  private AntiEntropyFrames() {}

  public static byte[] query(Query q) {
    if (q.root().length != MerkleTree.HASH || q.groups().length > MAX_GROUPS_PER_ANSWER) {
      throw new IllegalArgumentException("bad query");
    }
    ByteBuffer out = FrameLayout.header(q.session(), q.sequence(), QUERY, 2 + MerkleTree.HASH + q.groups().length);
    out.put((byte) q.kind().ordinal()).put(q.root()).put((byte) q.groups().length);
    for (int g : q.groups()) {
      out.put((byte) g);
    }
    return out.array();
  }

  public static Query decodeQuery(byte[] frame) {
    ByteBuffer in = FrameLayout.body(frame, QUERY);
    try {
      int kind = in.get() & 0xFF;
      byte[] root = new byte[MerkleTree.HASH];
      in.get(root);
      int count = in.get() & 0xFF;
      if (kind > 1 || count > MAX_GROUPS_PER_ANSWER || in.remaining() != count
          || (kind == 0 && count != 0)) {
        throw new MalformedFrameException("bad anti-entropy query kind or group count");
      }
      int[] groups = groups(in, count);
      return new Query(in.getLong(0), in.getInt(8), QueryKind.values()[kind], root, groups);
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated anti-entropy query");
    }
  }

  public static byte[] answer(Answer a) {
    ByteBuffer out = FrameLayout.header(a.session(), a.sequence(), ANSWER, 2 + a.indices().length * (1 + HASHES));
    out.put((byte) a.status().ordinal()).put((byte) a.indices().length);
    for (int i = 0; i < a.indices().length; i++) {
      out.put((byte) a.indices()[i]).put(a.hashes()[i]);
    }
    return out.array();
  }

  public static Answer decodeAnswer(byte[] frame) {
    ByteBuffer in = FrameLayout.body(frame, ANSWER);
    try {
      int status = in.get() & 0xFF;
      int count = in.get() & 0xFF;
      if (status >= Status.values().length || count > MAX_GROUPS_PER_ANSWER
          || in.remaining() != count * (1 + HASHES)) {
        throw new MalformedFrameException("bad anti-entropy answer status or count");
      }
      Status s = Status.values()[status];
      boolean countFits = switch (s) {
        case GROUPS -> count == 1 && in.get(in.position()) == 0;
        case LEAVES -> count >= 1;
        default -> count == 0;
      };
      if (!countFits) {
        throw new MalformedFrameException("anti-entropy answer " + s + " with " + count + " entries");
      }
      int[] indices = new int[count];
      byte[][] hashes = new byte[count][HASHES];
      for (int i = 0; i < count; i++) {
        indices[i] = in.get() & 0xFF;
        if (indices[i] >= MerkleTree.GROUPS) {
          throw new MalformedFrameException("group " + indices[i] + " out of range");
        }
        in.get(hashes[i]);
      }
      return new Answer(in.getLong(0), in.getInt(8), s, indices, hashes);
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated anti-entropy answer");
    }
  }

  public static byte[] digests(Digests d) {
    if (d.entries().size() > MAX_DIGESTS) {
      throw new IllegalArgumentException("at most " + MAX_DIGESTS + " digests a frame");
    }
    ByteBuffer out = FrameLayout.header(d.session(), d.sequence(), DIGESTS,
        2 * (1 + Wire.KEY_LENGTH) + MASK_BYTES + 2 + d.entries().size() * DIGEST_BYTES);
    optionalKey(out, d.from());
    optionalKey(out, d.through());
    out.put(Arrays.copyOf(d.leaves().toByteArray(), MASK_BYTES));
    out.putShort((short) d.entries().size());
    for (Digest e : d.entries()) {
      out.put(e.key()).putLong(e.timestamp()).put((byte) (e.tombstone() ? 1 : 0)).putLong(e.hash());
    }
    return out.array();
  }

  public static Digests decodeDigests(byte[] frame) {
    ByteBuffer in = FrameLayout.body(frame, DIGESTS);
    try {
      byte[] from = optionalKey(in);
      byte[] through = optionalKey(in);
      byte[] mask = new byte[MASK_BYTES];
      in.get(mask);
      int count = in.getShort() & 0xFFFF;
      if (count > MAX_DIGESTS || in.remaining() != count * DIGEST_BYTES) {
        throw new MalformedFrameException("digest count " + count + " does not match the frame");
      }
      List<Digest> entries = new ArrayList<>(count);
      byte[] previous = from;
      for (int i = 0; i < count; i++) {
        byte[] key = new byte[Wire.KEY_LENGTH];
        in.get(key);
        long ts = in.getLong();
        int tombstone = in.get() & 0xFF;
        if (ts < 0 || tombstone > 1) {
          throw new MalformedFrameException("bad digest timestamp or tombstone flag");
        }
        if ((previous != null && Arrays.compareUnsigned(key, previous) <= 0)
            || (through != null && Arrays.compareUnsigned(key, through) > 0)) {
          throw new MalformedFrameException("digests out of order or outside (from, through]");
        }
        previous = key;
        entries.add(new Digest(key, ts, tombstone == 1, in.getLong()));
      }
      if (from != null && through != null && Arrays.compareUnsigned(from, through) >= 0) {
        throw new MalformedFrameException("empty digest interval");
      }
      return new Digests(in.getLong(0), in.getInt(8), from, through, BitSet.valueOf(mask), entries);
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated digests");
    }
  }

  public static byte[] digestsReply(DigestsReply r) {
    if (r.pulls().size() > MAX_DIGESTS) {
      throw new IllegalArgumentException("at most " + MAX_DIGESTS + " pulls a frame");
    }
    ByteBuffer out = FrameLayout.header(r.session(), r.sequence(), DIGESTS_REPLY,
        1 + 1 + Wire.KEY_LENGTH + 2 + r.pulls().size() * Wire.KEY_LENGTH);
    out.put((byte) (r.busy() ? 1 : 0));
    optionalKey(out, r.through());
    out.putShort((short) r.pulls().size());
    r.pulls().forEach(out::put);
    return out.array();
  }

  public static DigestsReply decodeDigestsReply(byte[] frame) {
    ByteBuffer in = FrameLayout.body(frame, DIGESTS_REPLY);
    try {
      int status = in.get() & 0xFF;
      byte[] through = optionalKey(in);
      int count = in.getShort() & 0xFFFF;
      if (status > 1 || count > MAX_DIGESTS || in.remaining() != count * Wire.KEY_LENGTH) {
        throw new MalformedFrameException("bad digests reply status or count");
      }
      List<byte[]> pulls = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] key = new byte[Wire.KEY_LENGTH];
        in.get(key);
        pulls.add(key);
      }
      return new DigestsReply(in.getLong(0), in.getInt(8), status == 1, through, pulls);
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated digests reply");
    }
  }

  /** The session of any frame of this codec (its first 8 bytes); the frame is at least a header. */
  public static long session(byte[] frame) {
    return ByteBuffer.wrap(frame).getLong(0);
  }

  private static int[] groups(ByteBuffer in, int count) {
    int[] groups = new int[count];
    for (int i = 0; i < count; i++) {
      groups[i] = in.get() & 0xFF;
      if (groups[i] >= MerkleTree.GROUPS) {
        throw new MalformedFrameException("group " + groups[i] + " out of range");
      }
    }
    return groups;
  }

  private static void optionalKey(ByteBuffer out, byte[] key) {
    out.put((byte) (key == null ? 0 : 1)).put(key == null ? new byte[Wire.KEY_LENGTH] : key);
  }

  private static byte[] optionalKey(ByteBuffer in) {
    int flag = in.get() & 0xFF;
    byte[] key = new byte[Wire.KEY_LENGTH];
    in.get(key);
    if (flag > 1) {
      throw new MalformedFrameException("bad key flag " + flag);
    }
    return flag == 1 ? key : null;
  }


}
