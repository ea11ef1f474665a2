package io.kvstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.kvstore.node.ops.codec.OperationCodec;
import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.keys.OperatorKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./kvstore ops run / status against a fake node (UDP) and a fake status server (HTTP). */
class OpsCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;
  private Path script;

  @BeforeEach
  void capture() throws Exception {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    OperatorKeys.save(OperatorKeys.generate("alice"), dir.resolve("alice"), false);
    script = Files.writeString(dir.resolve("s.sh"), "touch made-here\n");
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private int run(String node, String... more) {
    String[] base = {"ops", "run", script.toString(), "--key", dir.resolve("alice.key").toString(), "--node", node};
    String[] args = Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return Main.execute(args);
  }

  /** A node that answers one OPS_SUBMIT with {@code code} (and {@code reason}), keeping the request. */
  private static Thread fakeNode(DatagramSocket socket, int code, String reason, AtomicReference<byte[]> received) {
    Thread t = new Thread(() -> {
      try {
        byte[] buf = new byte[65_536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        received.set(Arrays.copyOf(buf, p.getLength()));
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        ByteBuffer reply = ByteBuffer.allocate(16 + 1 + (code == 0 ? 0 : 2 + r.length)).order(ByteOrder.LITTLE_ENDIAN);
        reply.put(buf, 0, 16).put((byte) code);
        if (code != 0) {
          reply.putShort((short) r.length).put(r);
        }
        socket.send(new DatagramPacket(reply.array(), reply.position(), p.getSocketAddress()));
      } catch (Exception e) {
        // the test fails on what it did not receive
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void signsAndSubmitsTheScriptAndPrintsTheId() throws Exception {
    try (DatagramSocket node = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      AtomicReference<byte[]> received = new AtomicReference<>();
      Thread t = fakeNode(node, 0x00, "", received);
      long before = System.currentTimeMillis();
      assertThat(run("127.0.0.1:" + node.getLocalPort(), "--targets", "rack=r1", "--timeout", "5s",
          "--expires", "2m")).isEqualTo(ExitCodes.OK);
      t.join(5_000);
      byte[] request = received.get();
      assertThat(request[16]).isEqualTo((byte) 0x11); // OPS_SUBMIT
      int length = (request[49] & 0xFF) | (request[50] & 0xFF) << 8;
      SignedOperation op = OperationCodec.decode(Arrays.copyOfRange(request, 51, 51 + length));
      assertThat(Arrays.copyOfRange(request, 17, 33)).isEqualTo(op.id()); // key: the id, then zeros
      assertThat(Arrays.copyOfRange(request, 33, 49)).containsOnly(0);
      assertThat(op.signatureValidFor(OperatorKeys.loadPublic(dir.resolve("alice.pub")).key())).isTrue();
      assertThat(op.bodyText()).isEqualTo("touch made-here\n");
      assertThat(op.targets().toString()).isEqualTo("rack=r1");
      assertThat(op.timeoutMillis()).isEqualTo(5_000);
      assertThat(op.expiresAtMillis() - op.issuedAtMillis()).isEqualTo(120_000);
      assertThat(op.issuedAtMillis()).isBetween(before, System.currentTimeMillis());
      assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo(op.idHex());
    }
  }

  @Test
  void aRefusalSaysWhatToDo() throws Exception {
    try (DatagramSocket node = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      Thread t = fakeNode(node, 0x21, "disabled", new AtomicReference<>());
      assertThat(run("127.0.0.1:" + node.getLocalPort())).isEqualTo(ExitCodes.SERVER_ERROR);
      t.join(5_000);
      assertThat(err()).contains("refused the operation: disabled: operations are disabled on this node:"
          + " add your public key (alice.pub) to ops.trusted-keys");
    }
  }

  @Test
  void badInputIsRefusedBeforeAnythingIsSent() throws Exception {
    try (DatagramSocket node = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      String at = "127.0.0.1:" + node.getLocalPort();
      node.setSoTimeout(300);
      assertThat(Main.execute("ops", "run", dir.resolve("none.sh").toString(), "--key",
          dir.resolve("alice.key").toString(), "--node", at)).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err()).contains("no script file");
      Files.write(script, new byte[SignedOperation.MAX_BODY_BYTES + 1]);
      assertThat(run(at)).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err()).contains("at most 8192 fit one operation");
      Files.writeString(script, "");
      assertThat(run(at)).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err()).contains("is empty");
      Files.writeString(script, "true\n");
      assertThat(run(at, "--targets", "a,,b")).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err()).contains("--targets a,,b");
      assertThat(run(at, "--timeout", "0s")).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(Main.execute("ops", "run", script.toString(), "--key", dir.resolve("alice.pub").toString(),
          "--node", at)).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err()).contains("--key takes the private NAME.key, not NAME.pub");
      // Nothing reached the node.
      DatagramPacket p = new DatagramPacket(new byte[100], 100);
      assertThat(receives(node, p)).isFalse();
    }
  }

  @Test
  void pushRefusesBadTimeoutExpiryAndKeyBeforeItSendsAnything() throws Exception {
    Path file = Files.write(dir.resolve("payload.bin"), new byte[5000]);
    try (DatagramSocket node = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      String at = "127.0.0.1:" + node.getLocalPort();
      node.setSoTimeout(300);
      String[] base = {"ops", "push", file.toString(), "--dest", "payload.bin", "--node", at, "--key"};
      String key = dir.resolve("alice.key").toString();
      // 1200 h does not fit the 4-byte timeout: cast, it became about 7 h
      assertThat(Main.execute(concat(base, key, "--timeout", "1200h"))).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err()).contains("--timeout must be between 1 ms and 24 days, not 1200h");
      assertThat(Main.execute(concat(base, key, "--timeout", "1000h"))).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(Main.execute(concat(base, key, "--expires", "0s"))).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err()).contains("--expires must be at least 1 s, not 0s");
      assertThat(Main.execute(concat(base, dir.resolve("alice.pub").toString()))).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err()).contains("--key takes the private NAME.key, not NAME.pub");
      assertThat(receives(node, new DatagramPacket(new byte[100], 100))).isFalse();
    }
  }

  private static String[] concat(String[] base, String... more) {
    String[] args = Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return args;
  }

  private static boolean receives(DatagramSocket s, DatagramPacket p) {
    try {
      s.receive(p);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private HttpServer monitor(int status, String body) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/ops/", ex -> {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    return server;
  }

  private static String op(String... nodes) {
    return "{\"id\":\"0123abcd\",\"kind\":\"script\",\"targets\":\"all\",\"firstSeen\":\"2026-01-01T00:00:00Z\","
        + "\"counts\":{},\"nodes\":[" + String.join(",", nodes) + "]}";
  }

  private static String node(String id, String state, Integer exit, String tail) {
    return "{\"node\":\"" + id + "\",\"state\":\"" + state + "\",\"exit\":" + exit + ",\"durationMillis\":42,"
        + "\"truncatedBytes\":0,\"updated\":null,\"tail\":\"" + tail + "\"}";
  }

  @Test
  void statusPrintsEachNodeAndTheExitCodeSaysWhetherAllSucceeded() throws Exception {
    HttpServer ok = monitor(200, op(node("n1", "DONE", 0, "fine\\n"), node("n2", "DONE", 0, "")));
    try {
      assertThat(Main.execute("ops", "status", "0123abcd", "--monitor", "127.0.0.1:" + ok.getAddress().getPort(),
          "--tails")).isEqualTo(ExitCodes.OK);
      String text = out.toString(StandardCharsets.UTF_8);
      assertThat(text).contains("operation 0123abcd (script, targets all): 2/2 nodes done, 0 running, 0 waiting")
          .containsPattern("n1 +DONE +0 +42 ms").contains("    fine");
    } finally {
      ok.stop(0);
    }
    HttpServer failed = monitor(200, op(node("n1", "DONE", 0, ""), node("n2", "DONE", 3, ""),
        node("n3", "WAITING", null, "")));
    try {
      assertThat(Main.execute("ops", "status", "0123abcd", "--monitor", "127.0.0.1:" + failed.getAddress().getPort()))
          .isEqualTo(ExitCodes.SERVER_ERROR);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("2/3 nodes done, 0 running, 1 waiting")
          .containsPattern("n3 +WAITING +- +-");
    } finally {
      failed.stop(0);
    }
  }

  @Test
  void statusOfAnUnknownOperationOrWithoutAMonitorSaysSo() throws Exception {
    HttpServer none = monitor(404, "{\"error\":\"no operation\"}");
    try {
      assertThat(Main.execute("ops", "status", "0123abcd", "--monitor", "127.0.0.1:" + none.getAddress().getPort()))
          .isEqualTo(ExitCodes.NOT_FOUND);
      assertThat(err()).contains("no node has reported operation 0123abcd").contains("--wait");
      assertThat(Main.execute("ops", "status", "0123abcd", "--monitor", "127.0.0.1:" + none.getAddress().getPort(),
          "--wait", "--wait-timeout", "1500ms")).isEqualTo(ExitCodes.FAILURE);
      assertThat(err()).contains("gave up after --wait-timeout");
    } finally {
      none.stop(0);
    }
    assertThat(Main.execute("ops", "status", "xyz")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err()).contains("ID must be 8 to 32 hex digits");
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    assertThat(Main.execute("ops", "status", "0123abcd", "--monitor", "127.0.0.1:" + closed))
        .isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(err()).contains("no status server at 127.0.0.1:" + closed);
  }
}
