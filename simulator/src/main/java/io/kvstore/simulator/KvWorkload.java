package io.kvstore.simulator;

import io.kvstore.protocol.Command;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Closed-loop clients: each has one request outstanding at a time, through a node picked at random
 * (crashed ones included: a real client does not know), then thinks for a moment. Each client
 * works on keys of its own ({@code c<client>/k<n>}) so that every key has one writer and its
 * history is sequential; every PUT writes a value no other request writes ({@code
 * <key>=<request id>}), and a REMOVE retires its key. So an execution seen in storage names the one
 * request that caused it, and a value read names the one PUT that wrote it.
 */
public final class KvWorkload extends ClosedLoopWorkload {
  private static final long STREAM = -3;
  private static final int ACTIVE_KEYS = 8;

  private final List<List<byte[]>> activeKeys = new ArrayList<>();
  private final int[] keysMade;

  public KvWorkload(KvCluster cluster, long thinkMillis) {
    super(cluster, STREAM, thinkMillis);
    this.keysMade = new int[cluster.clients().size()];
    cluster.clients().forEach(c -> activeKeys.add(new ArrayList<>()));
  }

  @Override
  protected Request nextRequest(int client) {
    List<byte[]> keys = activeKeys.get(client);
    Command command;
    byte[] key;
    if (keys.isEmpty() || (keys.size() < ACTIVE_KEYS && random.nextInt(4) == 0)) {
      key = key("c" + client + "/k" + keysMade[client]++);
      keys.add(key);
      command = Command.PUT;
    } else {
      int pick = random.nextInt(keys.size());
      key = keys.get(pick);
      int roll = random.nextInt(100);
      command = roll < 45 ? Command.PUT : roll < 88 ? Command.GET : Command.REMOVE;
      if (command == Command.REMOVE) {
        keys.remove(pick); // retired: this key sees no request after its REMOVE
      }
    }
    SimClient sc = cluster.client(client);
    KvNode via = cluster.node(random.nextInt(cluster.nodes().size()));
    return new Request(command, key, command == Command.PUT ? valueOf(key, sc) : null, via);
  }

  /**
   * A 32-byte protocol key that reads as {@code name} (padded with dots), so that test failures
   * name keys legibly.
   */
  public static byte[] key(String name) {
    byte[] key = new byte[32];
    java.util.Arrays.fill(key, (byte) '.');
    byte[] text = name.getBytes(StandardCharsets.UTF_8);
    if (text.length > key.length) {
      throw new IllegalArgumentException("key name longer than 32 bytes: " + name);
    }
    System.arraycopy(text, 0, key, 0, text.length);
    return key;
  }

  /** Unique per request: the key and the id the client will give the request. */
  private static byte[] valueOf(byte[] key, SimClient sc) {
    return (new String(key, StandardCharsets.UTF_8).replace(".", "") + "=" + sc.nextId()).getBytes(StandardCharsets.UTF_8);
  }
}
