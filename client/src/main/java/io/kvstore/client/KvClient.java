package io.kvstore.client;

import io.kvstore.protocol.Command;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A client of one KVStore node over UDP (DESIGN.md §2). Thread-safe; many requests may be
 * outstanding at once, up to {@link KvClientConfig#maxOutstanding()}.
 *
 * <p>Futures complete with the node's answer whatever its code (see {@link KvResult#isNotFound()}),
 * and fail with a {@link KvTimeoutException} when no reply came after the last retry, or another
 * {@link KvException}. Dependent stages without an executor run on the client's receiver thread:
 * keep them short and non-blocking, or pass an executor.
 *
 * <pre>{@code
 * try (KvClient client = KvClient.open(KvClientConfig.of("127.0.0.1:4000"))) {
 *   client.blocking().put(Keys.sha256("greeting"), "hello".getBytes(UTF_8));
 * }
 * }</pre>
 */
public final class KvClient implements AutoCloseable {
  private final KvClientConfig config;
  private final UdpExchange exchange;
  private final BlockingKvClient blocking;

  private KvClient(KvClientConfig config, UdpExchange exchange) {
    this.config = config;
    this.exchange = exchange;
    this.blocking = new BlockingKvClient(this, exchange);
  }

  /**
   * Opens a UDP socket to the configured node. Nothing is sent yet.
   *
   * @throws KvException if the socket cannot be opened
   */
  public static KvClient open(KvClientConfig config) {
    try {
      return new KvClient(config, new UdpExchange(config));
    } catch (IOException e) {
      throw new KvException(
          "could not open a UDP socket to " + NodeAddress.format(config.node()) + ": " + e, e);
    }
  }

  public KvClientConfig config() {
    return config;
  }

  /** The same client with methods that wait for the answer. */
  public BlockingKvClient blocking() {
    return blocking;
  }

  /**
   * Stores a value of up to 15,000 bytes.
   *
   * @throws IllegalArgumentException if the key is not 32 bytes or the value is too long
   */
  public CompletableFuture<KvResult> put(byte[] key, byte[] value) {
    return exchange.submit(Command.PUT, key, value);
  }

  /** Reads a value; the result {@link KvResult#isNotFound()} when the key has none. */
  public CompletableFuture<KvResult> get(byte[] key) {
    return exchange.submit(Command.GET, key, null);
  }

  public CompletableFuture<KvResult> remove(byte[] key) {
    return exchange.submit(Command.REMOVE, key, null);
  }

  public CompletableFuture<KvResult> isAlive() {
    return exchange.submit(Command.IS_ALIVE, null, null);
  }

  /** The node's process id, in {@link KvResult#intValue()}. */
  public CompletableFuture<KvResult> getPid() {
    return exchange.submit(Command.GET_PID, null, null);
  }

  /** How many members the node sees, in {@link KvResult#intValue()}. */
  public CompletableFuture<KvResult> membershipCount() {
    return exchange.submit(Command.GET_MEMBERSHIP_COUNT, null, null);
  }

  /**
   * One page of the node's membership view, starting at member {@code start}; parse the result's
   * value with {@link MemberList#parse}.
   */
  public CompletableFuture<KvResult> listMembers(int start) {
    byte[] index = {(byte) start, (byte) (start >>> 8), (byte) (start >>> 16), (byte) (start >>> 24)};
    return exchange.submit(Command.LIST_MEMBERS, null, index);
  }

  /** Asks the node to halt at once (an announced crash); it replies before it stops. */
  public CompletableFuture<KvResult> shutdown() {
    return exchange.submit(Command.SHUTDOWN, null, null);
  }

  /** Asks the node to delete every key. */
  public CompletableFuture<KvResult> wipeout() {
    return exchange.submit(Command.WIPEOUT, null, null);
  }

  /**
   * OPS_SUBMIT: a signed operation (its encoded bytes, at most 15,000) under key = its 16-byte id
   * and 16 zero bytes. Refused: code 0x21 with the reason as the value.
   */
  public CompletableFuture<KvResult> submitOperation(byte[] opId, byte[] operation) {
    return exchange.submit(Command.OPS_SUBMIT, java.util.Arrays.copyOf(opId, 32), operation);
  }

  /** OPS_CHUNK: one piece of a pushed file (key: op id, chunk, offset; see docs/PROTOCOL.md). */
  public CompletableFuture<KvResult> opsChunk(byte[] key, byte[] piece) {
    return exchange.submit(Command.OPS_CHUNK, key, piece);
  }

  public ClientStats stats() {
    return exchange.stats();
  }

  /** Closes the socket; requests still outstanding fail with a {@link KvException}. */
  @Override
  public void close() {
    exchange.close();
  }
}
