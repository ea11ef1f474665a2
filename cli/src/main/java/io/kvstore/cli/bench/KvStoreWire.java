package io.kvstore.cli.bench;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.RequestEncoder;
import io.kvstore.protocol.ResponseCode;
import io.kvstore.protocol.Wire;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The KVStore protocol (DESIGN.md §2). The request id keeps the documented layout, with the slot in
 * the two "random" bytes and, in the 8-byte time field, a per-socket counter that starts from the
 * clock: ids then stay unique at any request rate, which the node's at-most-once cache needs.
 */
final class KvStoreWire implements BenchWire {
  private static final int SLOT_OFFSET = 6;
  private static final int TAG_OFFSET = 8;
  private static final String[] CODE_LABELS = codeLabels();

  private final byte[][] keys;
  private final byte[][] values;
  private final byte[] id = new byte[Wire.REQUEST_ID_LENGTH];
  private final ByteBuffer idView = ByteBuffer.wrap(id).order(ByteOrder.LITTLE_ENDIAN);

  KvStoreWire(
      byte[][] keys, int valueSize, SplittableRandom random, byte[] localIpv4, int localPort) {
    this.keys = keys;
    this.values = ValuePool.randomBytes(valueSize, random);
    idView.put(localIpv4, 0, 4).putShort((short) localPort);
  }

  @Override
  public long encode(ByteBuffer out, int slot, long tag, boolean get, int key) {
    idView.putShort(SLOT_OFFSET, (short) slot).putLong(TAG_OFFSET, tag);
    if (get) {
      RequestEncoder.encode(out, id, Command.GET, keys[key], null);
    } else {
      RequestEncoder.encode(out, id, Command.PUT, keys[key], ValuePool.pick(values, tag));
    }
    return tag;
  }

  @Override
  public void encodeProbe(ByteBuffer out) {
    RequestEncoder.encode(out, id, Command.IS_ALIVE, null, null);
  }

  @Override
  public boolean decodeHeader(ByteBuffer reply, ReplyHeader header) {
    if (reply.remaining() < Wire.REQUEST_ID_LENGTH) {
      return false;
    }
    reply.order(ByteOrder.LITTLE_ENDIAN);
    int start = reply.position();
    header.slot = reply.getShort(start + SLOT_OFFSET) & 0xFFFF;
    header.tag = reply.getLong(start + TAG_OFFSET);
    header.part = 0;
    header.parts = 1;
    return true;
  }

  @Override
  public String check(ByteBuffer reply, ReplyHeader header, boolean get) {
    int start = reply.position();
    if (reply.remaining() <= Wire.REQUEST_ID_LENGTH) {
      return MALFORMED;
    }
    int code = reply.get(start + Wire.REQUEST_ID_LENGTH) & 0xFF;
    if (code == ResponseCode.NOT_FOUND.code && get) {
      return MISS;
    }
    if (code != ResponseCode.SUCCESS.code) {
      return CODE_LABELS[code];
    }
    if (!get) {
      return OK;
    }
    int lengthOffset = start + Wire.REQUEST_ID_LENGTH + 1;
    if (reply.limit() < lengthOffset + Wire.VALUE_LENGTH_FIELD) {
      return MALFORMED;
    }
    int length = reply.getShort(lengthOffset) & 0xFFFF;
    return lengthOffset + Wire.VALUE_LENGTH_FIELD + length <= reply.limit() ? OK : MALFORMED;
  }

  private static String[] codeLabels() {
    String[] labels = new String[256];
    for (int code = 0; code < labels.length; code++) {
      ResponseCode known = ResponseCode.fromCode(code);
      labels[code] =
          known != null ? known.toString() : String.format("0x%02X (unknown code)", code);
    }
    return labels;
  }
}
