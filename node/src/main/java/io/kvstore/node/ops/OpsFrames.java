package io.kvstore.node.ops;

import io.kvstore.node.ops.codec.OperationCodec;
import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.protocol.InternalFrame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The node-to-node frames of operation dissemination (authenticated internal frames):
 *
 * <pre>
 * 0x60 OP     | header | the signed operation (rest of the frame)
 * 0x61 DIGEST | header | complete (1: these are all the ids the sender holds) | count u16 | ids 16 B each
 * 0x62 WANT   | header | 0 | count u16 | ids 16 B each
 * </pre>
 *
 * At most {@link #MAX_IDS} ids per frame (8 KiB of ids: well inside the 16 KiB a node reads).
 */
public final class OpsFrames {
  public static final int OP = 0x60;
  public static final int DIGEST = 0x61;
  public static final int WANT = 0x62;
  public static final int[] TYPES = {OP, DIGEST, WANT};
  public static final int MAX_IDS = 512;

  /** A DIGEST or WANT body. */
  public record Ids(boolean complete, List<byte[]> ids) {}

  private OpsFrames() {}

  public static byte[] op(RandomGenerator random, SignedOperation op) {
    byte[] encoded = op.encoded();
    ByteBuffer out = ByteBuffer.allocate(InternalFrame.HEADER + encoded.length);
    InternalFrame.writeHeader(out, InternalFrame.randomId(random), OP);
    return out.put(encoded).array();
  }

  /** The operation bytes of an OP frame (not yet decoded or verified). */
  public static byte[] opBytes(byte[] frame) {
    return java.util.Arrays.copyOfRange(frame, InternalFrame.HEADER, frame.length);
  }

  /** A DIGEST or WANT frame naming {@code ids} (at most {@link #MAX_IDS}). */
  public static byte[] ids(RandomGenerator random, int type, boolean complete, List<byte[]> ids) {
    if (ids.size() > MAX_IDS || (type != DIGEST && type != WANT)) {
      throw new IllegalArgumentException(ids.size() + " ids in a frame of type " + type);
    }
    ByteBuffer out = ByteBuffer.allocate(InternalFrame.HEADER + 3 + ids.size() * SignedOperation.ID_BYTES);
    InternalFrame.writeHeader(out, InternalFrame.randomId(random), type);
    out.put((byte) (complete ? 1 : 0)).putShort((short) ids.size());
    for (byte[] id : ids) {
      out.put(id);
    }
    return out.array();
  }

  /** Parses a DIGEST or WANT frame; null when it is malformed. */
  public static Ids parseIds(byte[] frame) {
    if (frame.length < InternalFrame.HEADER + 3) {
      return null;
    }
    ByteBuffer in = ByteBuffer.wrap(frame).position(InternalFrame.HEADER);
    int flag = in.get() & 0xFF;
    int count = in.getShort() & 0xFFFF;
    if (flag > 1 || count > MAX_IDS || in.remaining() != count * SignedOperation.ID_BYTES) {
      return null;
    }
    List<byte[]> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] id = new byte[SignedOperation.ID_BYTES];
      in.get(id);
      ids.add(id);
    }
    return new Ids(flag == 1, ids);
  }

  /** The operation id inside an OP frame without decoding it; null when the frame is too short. */
  static byte[] peekId(byte[] frame) {
    int at = InternalFrame.HEADER + OperationCodec.ID_OFFSET;
    return frame.length < at + SignedOperation.ID_BYTES ? null
        : java.util.Arrays.copyOfRange(frame, at, at + SignedOperation.ID_BYTES);
  }
}
