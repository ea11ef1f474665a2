package io.kvstore.bench;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measures launch-to-IS_ALIVE: starts {@code java -Xmx64m -jar kvstore.jar node} as a user would
 * (jar already built), sends IS_ALIVE every 2 ms from the moment of launch and reports when the
 * first success reply arrives. Repeats and prints every run plus the median and the worst.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.kvstore.bench.StartupTime
 * cli/target/kvstore.jar [runs] [--memory]}
 */
public final class StartupTime {
  private StartupTime() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: StartupTime KVSTORE_JAR [runs] [--memory]");
      System.exit(2);
    }
    String jar = args[0];
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    boolean memory = Arrays.asList(args).contains("--memory");
    double[] millis = new double[runs];
    for (int i = 0; i < runs; i++) {
      millis[i] = once(jar, memory);
      System.out.printf("run %d: %.0f ms%n", i + 1, millis[i]);
    }
    Arrays.sort(millis);
    System.out.printf(
        "launch to IS_ALIVE (%s): median %.0f ms, worst %.0f ms over %d runs%n",
        memory ? "--memory" : "RocksDB, new data dir", millis[runs / 2], millis[runs - 1], runs);
  }

  private static double once(String jar, boolean memory) throws Exception {
    int port;
    try (DatagramSocket probe = new DatagramSocket(0)) {
      port = probe.getLocalPort();
    }
    Path data = Files.createTempDirectory("kvstore-startup");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-Xss512k", "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC",
                "-jar", jar, "node", "--port", Integer.toString(port)));
    cmd.addAll(memory ? List.of("--memory") : List.of("--data-dir", data.toString()));
    byte[] isAlive = new byte[17];
    isAlive[16] = 0x06;
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(2);
      long start = System.nanoTime();
      Process node = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(new File("/dev/null")).start();
      try {
        byte[] buf = new byte[64];
        while (System.nanoTime() - start < 30_000_000_000L) {
          socket.send(new DatagramPacket(isAlive, 17, InetAddress.getLoopbackAddress(), port));
          try {
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            socket.receive(reply);
            if (reply.getLength() == 17 && buf[16] == 0) {
              return (System.nanoTime() - start) / 1e6;
            }
          } catch (SocketTimeoutException e) {
            // not up yet
          }
        }
        throw new IllegalStateException("node did not answer within 30 s");
      } finally {
        node.destroy();
        node.waitFor();
        deleteTree(data);
      }
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    try (var paths = Files.walk(dir)) {
      paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    }
  }
}
