package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Ack;
import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Nack;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.PingReq;
import io.kvstore.node.cluster.SwimMessage.PushPull;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.protocol.AddressCodec;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary encoding of SWIM messages inside the internal frame (docs/CLUSTER.md "Wire format").
 * Decoding never trusts lengths: a malformed datagram gives a {@link MalformedMessageException}.
 */
public final class SwimCodec {
  public static final int PING = 0x20;
  public static final int PING_REQ = 0x21;
  public static final int ACK = 0x22;
  public static final int NACK = 0x23;
  public static final int GOSSIP = 0x24;
  public static final int PUSH_PULL = 0x25;

  private static final Update.Kind[] KINDS = Update.Kind.values();
  /** Bound on updates in one message, so a forged count cannot make us allocate much. */
  private static final int MAX_UPDATES = 4096;

  private SwimCodec() {}

  /** Every frame type of the membership protocol, for the node's dispatch table. */
  public static final int[] TYPES = {PING, PING_REQ, ACK, NACK, GOSSIP, PUSH_PULL};

  public static boolean handles(int type) {
    return type >= PING && type <= PUSH_PULL;
  }

  /** Encoded size of an update. */
  public static int size(Update u) {
    int size = 1 + 8 + idSize(u.id()) + idSize(u.from());
    if (u.kind() == Update.Kind.ALIVE) {
      size += AddressCodec.size(u.address());
    }
    return size;
  }

  private static int idSize(NodeId id) {
    return 1 + (id == null ? 0 : id.utf8Length());
  }

  public static byte[] encode(byte[] frameId, SwimMessage message) {
    ByteBuffer out = ByteBuffer.allocate(InternalFrame.HEADER + bodySize(message));
    InternalFrame.writeHeader(out, frameId, typeOf(message));
    if (message instanceof Ping p) {
      out.putInt(p.seq());
      putId(out, p.target());
      putUpdate(out, p.source());
    } else if (message instanceof PingReq p) {
      out.putInt(p.seq());
      putId(out, p.target());
      AddressCodec.put(out, p.targetAddress());
      putUpdate(out, p.source());
    } else if (message instanceof Ack a) {
      out.putInt(a.seq());
    } else if (message instanceof Nack n) {
      out.putInt(n.seq());
    } else if (message instanceof PushPull p) {
      out.putInt(p.exchange());
      out.put((byte) ((p.join() ? 1 : 0) | (p.reply() ? 2 : 0)));
      out.putShort((short) p.chunk());
    }
    out.putShort((short) message.updates().size());
    for (Update u : message.updates()) {
      putUpdate(out, u);
    }
    return out.array();
  }

  private static int bodySize(SwimMessage message) {
    int size = 2;
    for (Update u : message.updates()) {
      size += size(u);
    }
    if (message instanceof Ping p) {
      return size + 4 + idSize(p.target()) + size(p.source());
    } else if (message instanceof PingReq p) {
      return size + 4 + idSize(p.target()) + AddressCodec.size(p.targetAddress()) + size(p.source());
    } else if (message instanceof Ack || message instanceof Nack) {
      return size + 4;
    } else if (message instanceof PushPull) {
      return size + 7;
    }
    return size;
  }


  private static int typeOf(SwimMessage message) {
    if (message instanceof Ping) {
      return PING;
    } else if (message instanceof PingReq) {
      return PING_REQ;
    } else if (message instanceof Ack) {
      return ACK;
    } else if (message instanceof Nack) {
      return NACK;
    } else if (message instanceof Gossip) {
      return GOSSIP;
    }
    return PUSH_PULL;
  }

  /**
   * Decodes the body of an internal frame whose header was already checked.
   *
   * @throws MalformedMessageException on any inconsistency
   */
  public static SwimMessage decode(int type, ByteBuffer body) {
    return decode(type, body, WireNames.AS_DECODED);
  }

  /** As {@link #decode(int, ByteBuffer)}, keeping the ids and addresses {@code names} gives. */
  public static SwimMessage decode(int type, ByteBuffer body, WireNames names) {
    try {
      return switch (type) {
            case PING -> {
              int seq = body.getInt();
              NodeId target = getId(body, names);
              Update source = getUpdate(body, names);
              yield new Ping(seq, target, source, getUpdates(body, names));
            }
            case PING_REQ -> {
              int seq = body.getInt();
              NodeId target = getId(body, names);
              InetSocketAddress address = getAddress(body, names);
              Update source = getUpdate(body, names);
              yield new PingReq(seq, target, address, source, getUpdates(body, names));
            }
            case ACK -> new Ack(body.getInt(), getUpdates(body, names));
            case NACK -> new Nack(body.getInt(), getUpdates(body, names));
            case GOSSIP -> new Gossip(getUpdates(body, names));
            case PUSH_PULL -> {
              int exchange = body.getInt();
              int flags = body.get();
              int chunk = body.getShort() & 0xFFFF;
              yield new PushPull(exchange, (flags & 1) != 0, (flags & 2) != 0, chunk, getUpdates(body, names));
            }
            default -> throw new MalformedMessageException("not a membership message: " + type);
          };
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedMessageException("truncated or invalid membership message: " + e);
    }
  }

  private static List<Update> getUpdates(ByteBuffer in, WireNames names) {
    int count = in.getShort() & 0xFFFF;
    if (count > MAX_UPDATES || count > in.remaining() / 11) {
      throw new MalformedMessageException("implausible update count " + count);
    }
    List<Update> updates = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      updates.add(getUpdate(in, names));
    }
    return updates;
  }

  private static void putUpdate(ByteBuffer out, Update u) {
    out.put((byte) u.kind().ordinal());
    out.putLong(u.incarnation());
    putId(out, u.id());
    putId(out, u.from());
    if (u.kind() == Update.Kind.ALIVE) {
      AddressCodec.put(out, u.address());
    }
  }

  private static Update getUpdate(ByteBuffer in, WireNames names) {
    int kind = in.get() & 0xFF;
    if (kind >= KINDS.length) {
      throw new MalformedMessageException("unknown update kind " + kind);
    }
    long incarnation = in.getLong();
    NodeId id = getId(in, names);
    if (id == null) {
      throw new MalformedMessageException("update without a member id");
    }
    NodeId from = getId(in, names);
    InetSocketAddress address = KINDS[kind] == Update.Kind.ALIVE ? getAddress(in, names) : null;
    return names.update(new Update(KINDS[kind], id, address, incarnation, from));
  }

  private static void putId(ByteBuffer out, NodeId id) {
    if (id == null) {
      out.put((byte) 0);
      return;
    }
    out.put((byte) id.utf8Length());
    id.putUtf8(out);
  }

  private static NodeId getId(ByteBuffer in, WireNames names) {
    int len = in.get() & 0xFF;
    if (len == 0) {
      return null;
    }
    if (len > NodeId.MAX_BYTES) {
      throw new MalformedMessageException("node id of " + len + " bytes");
    }
    if (len > in.remaining()) {
      throw new BufferUnderflowException();
    }
    NodeId id;
    if (in.hasArray()) { // read in place: the names may find the id without a copy
      id = names.id(in.array(), in.arrayOffset() + in.position(), len);
      in.position(in.position() + len);
    } else {
      byte[] b = new byte[len];
      in.get(b);
      id = names.id(b, 0, len);
    }
    return id;
  }

  private static InetSocketAddress getAddress(ByteBuffer in, WireNames names) {
    int len = in.get() & 0xFF;
    if (len != 4 && len != 16) {
      throw new MalformedMessageException("address of " + len + " bytes");
    }
    if (len + 2 > in.remaining()) {
      throw new BufferUnderflowException();
    }
    byte[] ip;
    int offset;
    if (in.hasArray()) {
      ip = in.array();
      offset = in.arrayOffset() + in.position();
      in.position(in.position() + len);
    } else {
      ip = new byte[len];
      offset = 0;
      in.get(ip);
    }
    int port = in.getShort() & 0xFFFF;
    return names.address(ip, offset, len, port);
  }
}
