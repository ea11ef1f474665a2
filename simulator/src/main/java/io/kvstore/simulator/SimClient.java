package io.kvstore.simulator;

import io.kvstore.client.KvClientConfig;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.MalformedReplyException;
import io.kvstore.protocol.Reply;
import io.kvstore.protocol.RequestEncoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A simulated client process on the {@link SimNetwork}: sends real protocol datagrams built by
 * {@link RequestEncoder} and, like {@code KvClient}, resends the same id and bytes after each
 * timeout of {@link KvClientConfig}'s schedule (100, 200, 400, 800 ms by default), then gives up.
 * Every invoke and completion is recorded as an {@link Operation}, in completion order.
 */
public final class SimClient implements SimEndpoint {
  private final int index;
  private final InetSocketAddress address;
  private final Simulation sim;
  private final SimNetwork network;
  private final KvClientConfig retries;
  private final Traffic traffic = new Traffic();
  private final Map<Long, Pending> pending = new HashMap<>();
  private final List<Operation> history = new ArrayList<>();
  private ClientRecorder recorder = ClientRecorder.NONE;
  private long nextId;
  private long strayReplies;

  private final class Pending {
    final long id;
    final Command command;
    final byte[] key;
    final byte[] value;
    final KvNode node;
    final byte[] datagram;
    final long invokedAt;
    final Consumer<Operation> done;
    final long recorded;
    int attempts;
    Simulation.Event timer;

    Pending(long id, Command command, byte[] key, byte[] value, KvNode node, byte[] datagram,
        Consumer<Operation> done) {
      this.id = id;
      this.command = command;
      this.key = key;
      this.value = value;
      this.node = node;
      this.datagram = datagram;
      this.invokedAt = sim.elapsedMillis();
      this.done = done;
      this.recorded = recorder.invoked(index, command, key, command == Command.PUT ? value : null);
    }
  }

  SimClient(int index, InetSocketAddress address, Simulation sim, SimNetwork network,
      KvClientConfig retries) {
    this.index = index;
    this.address = address;
    this.sim = sim;
    this.network = network;
    this.retries = retries;
  }

  /**
   * Sends {@code command} (PUT, GET, REMOVE or OPS_SUBMIT) to {@code node}; {@code done} gets the outcome
   * after a reply or after the last retry.
   */
  public void invoke(Command command, byte[] key, byte[] value, KvNode node, Consumer<Operation> done) {
    long id = nextId++;
    Pending p = new Pending(id, command, key, value, node,
        RequestEncoder.encode(requestId(id), command, key, command.hasValue ? value : null), done);
    pending.put(id, p);
    attempt(p);
  }

  /** Like the real client's ids: this client's address, then a counter. */
  private byte[] requestId(long id) {
    ByteBuffer b = ByteBuffer.allocate(16);
    b.put(address.getAddress().getAddress()).putShort((short) address.getPort()).putShort((short) 0)
        .putLong(id);
    return b.array();
  }

  private void attempt(Pending p) {
    p.attempts++;
    network.send(this, p.node.address(), p.datagram);
    long waitMillis = retries.attemptTimeoutNanos(p.attempts - 1) / 1_000_000;
    p.timer = sim.after(waitMillis, () -> {
      if (pending.get(p.id) != p) {
        return;
      }
      if (p.attempts <= retries.retries()) {
        attempt(p);
      } else {
        complete(p, Operation.TIMED_OUT, p.command == Command.PUT ? p.value : null);
      }
    });
  }

  @Override
  public void receive(InetSocketAddress from, byte[] datagram) {
    if (datagram.length < 16) {
      strayReplies++;
      return;
    }
    Pending p = pending.get(ByteBuffer.wrap(datagram, 8, 8).getLong());
    if (p == null || !from.equals(p.node.address())
        || !java.util.Arrays.equals(datagram, 0, 16, p.datagram, 0, 16)) {
      strayReplies++; // a late duplicate of an answered request, or not ours
      return;
    }
    Reply reply;
    try {
      reply = Reply.decode(datagram, datagram.length, p.command);
    } catch (MalformedReplyException e) {
      throw new AssertionError("node " + p.node + " sent a malformed reply to " + p.command, e);
    }
    p.timer.cancel();
    // GET's value; OPS_SUBMIT's refusal reason
    complete(p, reply.code(), p.command == Command.GET || p.command == Command.OPS_SUBMIT ? reply.value() : p.value);
  }

  private void complete(Pending p, int code, byte[] value) {
    pending.remove(p.id);
    Operation op = new Operation(index, p.id, p.command, p.key, value, p.node.index(), p.invokedAt,
        sim.elapsedMillis(), code, p.attempts);
    history.add(op);
    recorder.completed(p.recorded, op);
    p.done.accept(op);
  }

  /** From now on every request's start and end is shown to {@code recorder}. */
  public void record(ClientRecorder recorder) {
    this.recorder = recorder;
  }

  /** Every completed operation, in completion order. */
  public List<Operation> history() {
    return Collections.unmodifiableList(history);
  }

  /** The id the next {@link #invoke} will use. */
  public long nextId() {
    return nextId;
  }

  public int outstanding() {
    return pending.size();
  }

  /** Replies that matched nothing outstanding (duplicates of replies already taken). */
  public long strayReplies() {
    return strayReplies;
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public Traffic traffic() {
    return traffic;
  }
}
