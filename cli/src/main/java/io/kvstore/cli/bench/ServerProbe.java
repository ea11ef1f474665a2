package io.kvstore.cli.bench;

import io.kvstore.client.NodeAddress;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.SplittableRandom;

/**
 * Checks that the server answers at all before the benchmark starts, to fail with a clear message.
 */
final class ServerProbe {
  private static final int ATTEMPTS = 3;

  private ServerProbe() {}

  /**
   * Sends a harmless request (KVStore IS_ALIVE, memcached "version") until any reply arrives.
   *
   * @throws BenchException naming the server and what to check when none does
   */
  static void check(BenchConfig config) {
    String target = NodeAddress.format(config.target());
    try (DatagramChannel channel = WorkerGroup.openChannel(config.target())) {
      channel.configureBlocking(true);
      channel.socket().setSoTimeout((int) Math.max(1, config.requestTimeout().toMillis()));
      ByteBuffer probe = ByteBuffer.allocate(64);
      BenchWire.create(config, new byte[0][], new SplittableRandom(), channel, 1)
          .encodeProbe(probe);
      probe.flip();
      DatagramPacket reply = new DatagramPacket(new byte[65_536], 65_536);
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        channel.write(probe.rewind());
        try {
          channel.socket().receive(reply);
          return;
        } catch (SocketTimeoutException e) {
          // try again
        }
      }
    } catch (PortUnreachableException e) {
      throw new BenchException(
          "nothing listens on UDP "
              + target
              + " (port unreachable); start the server, or check"
              + " --node"
              + hint(config, target));
    } catch (IOException e) {
      throw new BenchException("could not reach " + target + ": " + e, e);
    }
    throw new BenchException(
        "no reply from "
            + target
            + " to "
            + ATTEMPTS
            + " probes ("
            + config.requestTimeout().toMillis()
            + " ms each); check that it runs and speaks the "
            + config.protocol().label()
            + " protocol"
            + hint(config, target));
  }

  private static String hint(BenchConfig config, String target) {
    return config.protocol() == BenchConfig.Protocol.KVSTORE
        ? ": ./kvstore is-alive --node " + target
        : " (memcached needs -U PORT to listen on UDP)";
  }
}
