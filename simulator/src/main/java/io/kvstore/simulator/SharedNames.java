package io.kvstore.simulator;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.WireNames;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One instance per node id and per address of a simulated cluster's own nodes, for every
 * membership in it: at 5,000 nodes the member tables hold 25 M entries, and decoded copies of ids
 * and addresses were most of the heap; with shared ones a table lookup finds its key by
 * reference. They are found from the datagram's bytes (open addressing on a hash of the bytes),
 * so decoding a known id or address builds nothing. Only the nodes the cluster created are
 * shared (IPv4 addresses, as the simulator gives them): an id or address nobody has (a forgery) is decoded anew, so hostile frames cannot grow
 * this table, which holds at most {@link #MAX_NAMES} of each. Likewise each node's latest alive
 * update about itself, as the others decode it: while N nodes form, each of N broadcast queues
 * holds one per member (25 M at 5,000 nodes, 1 GB of equal copies).
 */
final class SharedNames implements WireNames {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** More nodes than any simulation runs; a bound, so that the tables stay small arrays. */
  static final int MAX_NAMES = 1 << 20;

  private NodeId[] ids = new NodeId[64];
  /**
   * Each slot's id as its length and its first 16 bytes in two words (little-endian, zero past
   * the end): a decoded id is found by comparing these, computed once from the datagram, instead
   * of its bytes with each candidate's (the comparison and the byte-wise hash were 10% of the
   * simulation's time at 1,000 nodes). Longer ids also compare their bytes.
   */
  private long[] idWords = new long[2 * 64];
  private int[] idLengths = new int[64];
  private int idCount;
  private InetSocketAddress[] addresses = new InetSocketAddress[64];
  /** IPv4 address and port of each slot of {@link #addresses}, as (ip << 16) | port. */
  private long[] addressKeys = new long[64];
  private int addressCount;
  /** By shared id: the latest own-word alive update decoded about it (null: none yet). */
  private final Map<NodeId, Update> ownAlive = new HashMap<>();
  /**
   * The same for shared ids with a {@link NodeId#denseIndex dense index} (the cluster's own nodes),
   * by that index: an array read instead of two lookups in the map per decoded alive update.
   */
  private Update[] ownAliveByIndex = new Update[0];
  /** By dense index: the shared id of that index, so that only that very instance uses the array. */
  private NodeId[] sharedByIndex = new NodeId[0];

  /** Shares {@code id} and {@code address} (a node of the cluster) from now on. */
  void share(NodeId id, InetSocketAddress address) {
    if (idCount >= MAX_NAMES || addressCount >= MAX_NAMES) {
      throw new IllegalStateException("more than " + MAX_NAMES + " simulated nodes");
    }
    byte[] utf8 = id.value().getBytes(StandardCharsets.UTF_8);
    if (find(utf8, 0, utf8.length) == null) {
      if (2 * (idCount + 1) > ids.length) {
        NodeId[] old = ids;
        ids = new NodeId[2 * old.length];
        idWords = new long[2 * ids.length];
        idLengths = new int[ids.length];
        for (NodeId kept : old) {
          if (kept != null) {
            byte[] b = kept.value().getBytes(StandardCharsets.UTF_8);
            insert(kept, b);
          }
        }
      }
      insert(id, utf8);
      idCount++;
      int d = id.denseIndex();
      if (d >= 0 && d < MAX_NAMES) {
        if (d >= sharedByIndex.length) {
          int length = Math.min(MAX_NAMES, Math.max(d + 1, 2 * sharedByIndex.length));
          sharedByIndex = Arrays.copyOf(sharedByIndex, length);
          ownAliveByIndex = Arrays.copyOf(ownAliveByIndex, length);
        }
        if (sharedByIndex[d] == null) {
          sharedByIndex[d] = id;
        } else {
          ownAlive.put(id, null);
        }
      } else {
        ownAlive.put(id, null);
      }
    }
    byte[] ip = address.getAddress().getAddress();
    if (ip.length == 4 && findAddress(key(ip, 0, address.getPort())) == null) {
      if (2 * (addressCount + 1) > addresses.length) {
        InetSocketAddress[] old = addresses;
        long[] oldKeys = addressKeys;
        addresses = new InetSocketAddress[2 * old.length];
        addressKeys = new long[2 * old.length];
        for (int i = 0; i < old.length; i++) {
          if (old[i] != null) {
            insertAddress(old[i], oldKeys[i]);
          }
        }
      }
      insertAddress(address, key(ip, 0, address.getPort()));
      addressCount++;
    }
  }

  @Override
  public NodeId id(byte[] bytes, int offset, int length) {
    NodeId shared = find(bytes, offset, length);
    return shared != null ? shared : NodeId.fromUtf8(bytes, offset, length);
  }

  @Override
  public InetSocketAddress address(byte[] ip, int offset, int length, int port) {
    if (length == 4) {
      InetSocketAddress shared = findAddress(key(ip, offset, port));
      if (shared != null) {
        return shared;
      }
    }
    return WireNames.decodeAddress(ip, offset, length, port);
  }

  @Override
  public Update update(Update decoded) {
    if (decoded.kind() != Update.Kind.ALIVE || decoded.from() != decoded.id()) {
      return decoded; // a third party's word
    }
    int d = decoded.id().denseIndex();
    if (d >= 0 && d < sharedByIndex.length && sharedByIndex[d] == decoded.id()) {
      Update latest = ownAliveByIndex[d];
      if (decoded.equals(latest)) {
        return latest;
      }
      ownAliveByIndex[d] = decoded;
      return decoded;
    }
    if (!ownAlive.containsKey(decoded.id())) {
      return decoded; // a third party's word, or an id no simulated node has
    }
    Update latest = ownAlive.get(decoded.id());
    if (decoded.equals(latest)) {
      return latest;
    }
    ownAlive.put(decoded.id(), decoded);
    return decoded;
  }

  private NodeId find(byte[] bytes, int offset, int length) {
    int end = offset + length;
    long first = word(bytes, offset, end);
    long second = word(bytes, offset + 8, end);
    int mask = ids.length - 1;
    for (int slot = hash(first, second, length) & mask; ; slot = (slot + 1) & mask) {
      NodeId candidate = ids[slot];
      if (candidate == null) {
        return null;
      }
      if (idWords[2 * slot] == first && idWords[2 * slot + 1] == second && idLengths[slot] == length
          && (length <= 16 || candidate.utf8Equals(bytes, offset, length))) {
        return candidate;
      }
    }
  }

  private void insert(NodeId id, byte[] utf8) {
    long first = word(utf8, 0, utf8.length);
    long second = word(utf8, 8, utf8.length);
    int mask = ids.length - 1;
    int slot = hash(first, second, utf8.length) & mask;
    while (ids[slot] != null) {
      slot = (slot + 1) & mask;
    }
    ids[slot] = id;
    idWords[2 * slot] = first;
    idWords[2 * slot + 1] = second;
    idLengths[slot] = utf8.length;
  }

  /** Bytes [from, min(from + 8, end)) little-endian, zero beyond end (0 if from >= end). */
  private static long word(byte[] bytes, int from, int end) {
    if (end - from >= 8) {
      return (long) LONGS.get(bytes, from);
    }
    long w = 0;
    for (int i = end - 1; i >= from; i--) {
      w = (w << 8) | (bytes[i] & 0xFF);
    }
    return w;
  }

  private InetSocketAddress findAddress(long key) {
    int mask = addresses.length - 1;
    for (int slot = mix(key) & mask; ; slot = (slot + 1) & mask) {
      if (addresses[slot] == null) {
        return null;
      }
      if (addressKeys[slot] == key) {
        return addresses[slot];
      }
    }
  }

  private void insertAddress(InetSocketAddress address, long key) {
    int mask = addresses.length - 1;
    int slot = mix(key) & mask;
    while (addresses[slot] != null) {
      slot = (slot + 1) & mask;
    }
    addresses[slot] = address;
    addressKeys[slot] = key;
  }

  private static long key(byte[] ip, int offset, int port) {
    long address = ((ip[offset] & 0xFFL) << 24) | ((ip[offset + 1] & 0xFF) << 16) | ((ip[offset + 2] & 0xFF) << 8)
        | (ip[offset + 3] & 0xFF);
    return (address << 16) | (port & 0xFFFF);
  }

  private static int hash(long first, long second, int length) {
    return mix(first ^ Long.rotateLeft(second, 29) ^ ((long) length << 57));
  }

  private static int mix(long key) {
    return (int) (Trace.mix(key) >>> 32);
  }
}
