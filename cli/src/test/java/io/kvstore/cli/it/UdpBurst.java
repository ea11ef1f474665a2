package io.kvstore.cli.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A bounded burst of requests at a fixed total rate from a few sockets, each datagram with its own
 * id, recording the code of every reply (one thread per two sockets: sends when due, reads what
 * arrived). Even sequence numbers PUT a fresh key, odd ones GET one of the sentinel keys.
 */
final class UdpBurst {
  static final byte UNANSWERED = (byte) 0xFF;
  static final int VALUE_BYTES = 100;

  private final InetSocketAddress node;
  private final int sockets;
  private final int perSocket;
  private final byte[][] sentinels;
  final byte[][] codes;
  final DatagramChannel[] channels;
  volatile long sendingEndedNanos;
  private final CountDownLatch sent;
  private final ByteBuffer[][] requests;

  UdpBurst(InetSocketAddress node, int sockets, int perSocket, byte[][] sentinels) throws IOException {
    this.node = node;
    this.sockets = sockets;
    this.perSocket = perSocket;
    this.sentinels = sentinels;
    this.codes = new byte[sockets][perSocket];
    this.channels = new DatagramChannel[sockets];
    this.sent = new CountDownLatch(sockets);
    this.requests = new ByteBuffer[sockets][perSocket];
    for (int s = 0; s < sockets; s++) {
      Arrays.fill(codes[s], UNANSWERED);
      for (int seq = 0; seq < perSocket; seq++) {
        requests[s][seq] = ByteBuffer.wrap(request(s, seq)); // built ahead: sending must be cheap
      }
      channels[s] = DatagramChannel.open();
      channels[s].setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
      channels[s].setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
      channels[s].bind(new InetSocketAddress(node.getAddress(), 0));
      channels[s].configureBlocking(false);
    }
  }

  static byte[] putKey(int socket, int seq) {
    byte[] key = new byte[32];
    ByteBuffer.wrap(key).putInt(0xB0B0B0B0).putInt(socket).putInt(seq);
    return key;
  }

  static byte[] value(int socket, int seq) {
    byte[] v = new byte[VALUE_BYTES];
    Arrays.fill(v, (byte) (socket * 31 + seq));
    ByteBuffer.wrap(v).putInt(seq);
    return v;
  }

  static boolean isPut(int seq) {
    return seq % 2 == 0;
  }

  private byte[] request(int socket, int seq) {
    byte[] id = new byte[16];
    ByteBuffer.wrap(id).putInt(0x5EED0000 | socket).putInt(seq);
    return isPut(seq)
        ? RawUdp.request(id, 0x01, putKey(socket, seq), value(socket, seq))
        : RawUdp.request(id, 0x02, sentinels[seq % sentinels.length], null);
  }

  /**
   * Sends every request at {@code totalRate} per second, keeps reading replies until
   * {@code drainMillis} after the last send, and returns; {@link #awaitSent} returns as soon as the
   * last request has left.
   */
  Thread[] start(double totalRate, long drainMillis) {
    Thread[] threads = new Thread[(sockets + 1) / 2];
    long start = System.nanoTime();
    double intervalNanos = 1e9 * sockets / totalRate;
    for (int t = 0; t < threads.length; t++) {
      int[] owned = t * 2 + 1 < sockets ? new int[] {t * 2, t * 2 + 1} : new int[] {t * 2};
      threads[t] = new Thread(() -> run(owned, start, intervalNanos, drainMillis), "burst-" + t);
      threads[t].start();
    }
    return threads;
  }

  void awaitSent() throws InterruptedException {
    sent.await(60, TimeUnit.SECONDS);
  }

  private void run(int[] owned, long start, double intervalNanos, long drainMillis) {
    int[] next = new int[owned.length];
    ByteBuffer in = ByteBuffer.allocate(65_536);
    try {
      int done = 0;
      long lastSend = 0;
      while (done < owned.length || System.nanoTime() - lastSend < drainMillis * 1_000_000L) {
        long now = System.nanoTime();
        for (int i = 0; i < owned.length; i++) {
          int s = owned[i];
          while (next[i] < perSocket && now - start >= (long) (next[i] * intervalNanos)) {
            if (channels[s].send(requests[s][next[i]], node) == 0) {
              break; // send buffer full: try again on the next pass
            }
            if (++next[i] == perSocket) {
              done++;
              lastSend = System.nanoTime();
              sendingEndedNanos = Math.max(sendingEndedNanos, lastSend);
              sent.countDown();
            }
          }
          receiveAll(s, in);
        }
        if (done == owned.length) {
          Thread.sleep(1);
        }
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private void receiveAll(int socket, ByteBuffer in) throws IOException {
    while (true) {
      in.clear();
      if (channels[socket].receive(in) == null) {
        return;
      }
      in.flip();
      if (in.remaining() < 17 || (in.getInt(0) & 0xFFFF0000) != 0x5EED0000) {
        continue;
      }
      int seq = in.getInt(4);
      if (seq >= 0 && seq < perSocket && codes[socket][seq] == UNANSWERED) {
        codes[socket][seq] = in.get(16);
      }
    }
  }

  int[] localPorts() throws IOException {
    int[] ports = new int[sockets];
    for (int s = 0; s < sockets; s++) {
      ports[s] = ((InetSocketAddress) channels[s].getLocalAddress()).getPort();
    }
    return ports;
  }

  void close() throws IOException {
    for (DatagramChannel c : channels) {
      c.close();
    }
  }

  /**
   * The drops column of /proc/net/udp and /proc/net/udp6 summed over sockets bound to any of
   * {@code ports}; -1 off Linux.
   */
  static long kernelDrops(int... ports) throws IOException {
    Path table = Path.of("/proc/net/udp");
    if (!Files.isReadable(table)) {
      return -1;
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(table));
    Path table6 = Path.of("/proc/net/udp6");
    if (Files.isReadable(table6)) {
      lines.addAll(Files.readAllLines(table6));
    }
    long sum = 0;
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 13 || !f[0].endsWith(":")) {
        continue;
      }
      int port = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
      for (int p : ports) {
        if (p == port) {
          sum += Long.parseLong(f[12]);
        }
      }
    }
    return sum;
  }

  /** Datagrams dropped by the kernel's per-CPU input backlog (loopback goes through it); -1 if unknown. */
  static long backlogDrops() throws IOException {
    Path stat = Path.of("/proc/net/softnet_stat");
    if (!Files.isReadable(stat)) {
      return -1;
    }
    long sum = 0;
    for (String line : Files.readAllLines(stat)) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 1) {
        sum += Long.parseLong(f[1], 16);
      }
    }
    return sum;
  }

}
