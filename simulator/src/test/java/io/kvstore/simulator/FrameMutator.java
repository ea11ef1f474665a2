package io.kvstore.simulator;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.SwimCodec;
import io.kvstore.node.cluster.SwimMessage;
import io.kvstore.node.cluster.SwimMessage.Ack;
import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Nack;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.PingReq;
import io.kvstore.node.cluster.SwimMessage.PushPull;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import io.kvstore.protocol.InternalFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded hostile membership frames: real captured frames mutated at the byte level (bit flips,
 * overwrites, truncation, extension, splices, extreme 64-bit fields), random bytes, and
 * well-formed messages saying hostile things (fake members, accusations, leaves and alive claims
 * about real members at extreme or plausible incarnations, from anyone, at any address).
 */
final class FrameMutator {
  private static final long[] EXTREME = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1};

  private final SplittableRandom random;
  private final List<byte[]> captured;
  private final List<NodeId> realIds;
  private final List<InetSocketAddress> realAddresses;
  private final long incarnationBase;
  private final java.util.function.ToLongFunction<NodeId> known;

  FrameMutator(long seed, List<byte[]> captured, List<NodeId> realIds, List<InetSocketAddress> realAddresses,
      long incarnationBase, java.util.function.ToLongFunction<NodeId> known) {
    this.known = known;
    this.random = new SplittableRandom(seed);
    this.captured = captured;
    this.realIds = realIds;
    this.realAddresses = realAddresses;
    this.incarnationBase = incarnationBase;
  }

  byte[] next() {
    int pick = random.nextInt(100);
    if (pick < 55) {
      return mutate(captured.get(random.nextInt(captured.size())).clone());
    } else if (pick < 60) {
      return randomBytes();
    }
    return SwimCodec.encode(randomId16(), hostileMessage());
  }

  /** An unmodified captured frame (a replay). */
  byte[] replay() {
    return captured.get(random.nextInt(captured.size())).clone();
  }

  private byte[] mutate(byte[] frame) {
    int rounds = 1 + random.nextInt(4);
    for (int r = 0; r < rounds; r++) {
      switch (random.nextInt(7)) {
        case 0 -> frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
        case 1 -> frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
        case 2 -> frame = Arrays.copyOf(frame, Math.max(1, random.nextInt(frame.length + 1)));
        case 3 -> {
          byte[] longer = Arrays.copyOf(frame, frame.length + 1 + random.nextInt(64));
          for (int i = frame.length; i < longer.length; i++) {
            longer[i] = (byte) random.nextInt(256);
          }
          frame = longer;
        }
        case 4 -> {
          byte[] other = captured.get(random.nextInt(captured.size()));
          int cut = random.nextInt(Math.min(frame.length, other.length) + 1);
          System.arraycopy(other, cut, frame, cut, Math.min(other.length, frame.length) - cut);
        }
        case 5 -> {
          if (frame.length >= 8) {
            int at = random.nextInt(frame.length - 7);
            long v = EXTREME[random.nextInt(EXTREME.length)];
            for (int i = 0; i < 8; i++) {
              frame[at + i] = (byte) (v >>> (56 - 8 * i));
            }
          }
        }
        default -> {
          if (frame.length >= InternalFrame.HEADER + 2) {
            int at = InternalFrame.HEADER + random.nextInt(frame.length - InternalFrame.HEADER - 1);
            frame[at] = (byte) 0xFF; // a count or a length field, claimed huge
            frame[at + 1] = (byte) 0xFF;
          }
        }
      }
    }
    return frame;
  }

  private byte[] randomBytes() {
    byte[] b = new byte[1 + random.nextInt(1500)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    if (b.length > InternalFrame.HEADER && random.nextBoolean()) {
      b[InternalFrame.TYPE_OFFSET] = (byte) (SwimCodec.PING + random.nextInt(6));
      b[InternalFrame.TYPE_OFFSET + 1] = (byte) InternalFrame.VERSION;
    }
    return b;
  }

  private SwimMessage hostileMessage() {
    List<Update> updates = new ArrayList<>();
    int count = random.nextInt(8) == 0 ? 20 + random.nextInt(30) : random.nextInt(5);
    for (int i = 0; i < count; i++) {
      updates.add(hostileUpdate());
    }
    int seq = random.nextInt(4) == 0 ? random.nextInt(64) : random.nextInt();
    return switch (random.nextInt(6)) {
      case 0 -> new Ping(seq, anyId(), aliveUpdate(), updates);
      case 1 -> new PingReq(seq, anyId(), anyAddress(), aliveUpdate(), updates);
      case 2 -> new Ack(seq, updates);
      case 3 -> new Nack(seq, updates);
      case 4 -> new PushPull(random.nextInt(), random.nextBoolean(), random.nextBoolean(), random.nextInt(4), updates);
      default -> new Gossip(updates);
    };
  }

  private Update hostileUpdate() {
    Kind kind = Kind.values()[random.nextInt(4)];
    NodeId id = anyId();
    NodeId from = random.nextInt(3) == 0 ? id : anyId();
    InetSocketAddress address = kind == Kind.ALIVE ? anyAddress() : null;
    long incarnation = random.nextInt(4) == 0 && !id.value().startsWith("fake-")
        ? known.applyAsLong(id) + random.nextInt(-1, 3) // plausible: accusations SWIM accepts
        : anyIncarnation();
    return new Update(kind, id, address, incarnation, from);
  }

  private Update aliveUpdate() {
    return new Update(Kind.ALIVE, anyId(), anyAddress(), anyIncarnation(), anyId());
  }

  private long anyIncarnation() {
    return switch (random.nextInt(4)) {
      case 0 -> EXTREME[random.nextInt(EXTREME.length)];
      case 1 -> random.nextLong();
      default -> incarnationBase + random.nextLong(-5, 2_000_000); // near real incarnations
    };
  }

  private NodeId anyId() {
    if (random.nextBoolean()) {
      return realIds.get(random.nextInt(realIds.size()));
    }
    return new NodeId("fake-" + random.nextInt(1_000_000));
  }

  private InetSocketAddress anyAddress() {
    if (random.nextInt(3) == 0) {
      return realAddresses.get(random.nextInt(realAddresses.size()));
    }
    byte[] ip = {10, (byte) random.nextInt(256), (byte) random.nextInt(256), (byte) random.nextInt(256)};
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), 1 + random.nextInt(65_535));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] randomId16() {
    byte[] id = new byte[16];
    for (int i = 0; i < 16; i++) {
      id[i] = (byte) random.nextInt(256);
    }
    return id;
  }
}
