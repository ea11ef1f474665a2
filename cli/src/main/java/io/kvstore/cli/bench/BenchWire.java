package io.kvstore.cli.bench;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.SplittableRandom;

/**
 * Encodes the requests and checks the replies of one protocol, without allocating. Each request
 * names a slot of the sender's table and a tag that tells successive requests of a slot apart, so a
 * late reply to a replaced request is recognized. One instance per socket: not thread-safe.
 */
interface BenchWire {
  /** Outcome of {@link #check}: the request succeeded. */
  String OK = "ok";

  /** Outcome of {@link #check}: a GET found no value. */
  String MISS = "miss";

  /** Error label of a reply that does not follow the protocol. */
  String MALFORMED = "malformed reply";

  /** The codec for the configured protocol, for a connected channel with this many slots. */
  static BenchWire create(
      BenchConfig config,
      byte[][] keys,
      SplittableRandom random,
      DatagramChannel channel,
      int slots)
      throws IOException {
    if (config.protocol() == BenchConfig.Protocol.MEMCACHED) {
      return new MemcachedWire(keys, config.valueSize(), random, slots);
    }
    InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
    byte[] ipv4 = local.getAddress() instanceof Inet4Address v4 ? v4.getAddress() : new byte[4];
    return new KvStoreWire(keys, config.valueSize(), random, ipv4, local.getPort());
  }

  /**
   * Writes a request at the buffer's position.
   *
   * @return the tag as it travels on the wire (protocols may keep only its low bits)
   */
  long encode(ByteBuffer out, int slot, long tag, boolean get, int key);

  /** Writes a request any live server answers, to check it is there. */
  void encodeProbe(ByteBuffer out);

  /**
   * Reads the slot, tag and datagram count of a reply between position and limit.
   *
   * @return false when the datagram is too short to say which request it answers
   */
  boolean decodeHeader(ByteBuffer reply, ReplyHeader header);

  /**
   * Checks one reply datagram to a GET or a PUT.
   *
   * @return {@link #OK}, {@link #MISS} or a constant error label naming what the server said
   */
  String check(ByteBuffer reply, ReplyHeader header, boolean get);

  /** Where a reply belongs; reused for every datagram. */
  final class ReplyHeader {
    int slot;
    long tag;

    /** Index of this datagram within the reply (memcached splits large replies). */
    int part;

    /** How many datagrams the reply has. */
    int parts;
  }
}
