package io.kvstore.statusserver;

import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live dashboard updates under hostile or slow viewers: a viewer that stops reading must not
 * delay the others, and the number of viewers (each one a socket and, while it is behind, a
 * sending thread) is bounded.
 */
class LiveEventsTest {
  /** Large enough that a viewer that never reads fills the sockets' buffers in a few pushes. */
  private int updateBytes = 1 << 20;

  private final AtomicInteger pushes = new AtomicInteger();
  private final LiveEvents events = new LiveEvents(this::bigUpdate, () -> 0);
  private final Javalin app =
      HttpServers.create("127.0.0.1", 0, cfg -> cfg.routes.get("/events", events::handle));
  private final List<Socket> sockets = new ArrayList<>();

  private String bigUpdate() {
    StringBuilder update = new StringBuilder(updateBytes + 16);
    update.append(pushes.incrementAndGet()).append(' ');
    update.append("x".repeat(updateBytes));
    return update.toString();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    events.stop();
    app.stop();
  }

  @Test
  void aViewerThatStopsReadingDoesNotDelayTheOthers() throws Exception {
    app.start();
    events.start();
    Socket stalled = connect(4096); // never read: the server's writes to it block once buffers fill
    assertThat(readStatusLine(stalled)).contains("200");

    Socket reader = connect(1 << 16);
    BufferedReader lines = new BufferedReader(
        new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
    assertThat(lines.readLine()).contains("200");
    // Pushes come every 250 ms: 30 within 12 s even after the stalled viewer's buffers are full
    // (tens of MB at most on loopback, that is tens of pushes before a write blocks).
    long deadline = System.nanoTime() + 12_000_000_000L;
    int updates = 0;
    String line;
    while (updates < 30 && System.nanoTime() < deadline && (line = lines.readLine()) != null) {
      if (line.startsWith("data: ")) {
        updates++;
      }
    }
    assertThat(updates).as("updates the reading viewer got while another one stalled").isEqualTo(30);
    assertThat(events.updatesSkipped()).as("pushes the stalled viewer missed").isPositive();
  }

  @Test
  void refusesViewersBeyondItsBoundAndTakesNewOnesWhenOthersLeave() throws Exception {
    updateBytes = 100;
    app.start();
    events.start();
    List<Socket> viewers = new ArrayList<>();
    for (int i = 0; i < LiveEvents.MAX_VIEWERS; i++) {
      Socket viewer = connect(1 << 16);
      assertThat(readStatusLine(viewer)).contains("200");
      viewers.add(viewer);
    }
    await().until(() -> events.viewers() == LiveEvents.MAX_VIEWERS);

    Socket refused = connect(1 << 16);
    BufferedReader answer = new BufferedReader(
        new InputStreamReader(refused.getInputStream(), StandardCharsets.UTF_8));
    assertThat(answer.readLine()).contains("503");
    assertThat(events.viewersRefused()).isEqualTo(1);

    viewers.get(0).close();
    await().until(() -> events.viewers() < LiveEvents.MAX_VIEWERS);
    assertThat(readStatusLine(connect(1 << 16))).contains("200");
  }

  @Test
  void requestsThatDoNotAskForAStreamTakeNoSlot() throws Exception {
    updateBytes = 100;
    app.start();
    events.start();
    for (int i = 0; i < 2 * LiveEvents.MAX_VIEWERS; i++) {
      Socket plain = new Socket("127.0.0.1", app.port());
      sockets.add(plain);
      plain.setSoTimeout(5_000);
      plain.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(readStatusLine(plain)).contains("406");
    }
    assertThat(events.viewers()).isZero();
    assertThat(readStatusLine(connect(1 << 16))).contains("200");
    await().until(() -> events.viewers() == 1);
  }

  private Socket connect(int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.setReceiveBufferSize(receiveBuffer);
    socket.connect(new InetSocketAddress("127.0.0.1", app.port()), 5_000);
    socket.setSoTimeout(15_000);
    OutputStream out = socket.getOutputStream();
    out.write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  /** Reads the status line byte by byte, leaving the rest of the stream unread. */
  private static String readStatusLine(Socket socket) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = socket.getInputStream().read()) != -1 && b != '\n') {
      line.append((char) b);
    }
    return line.toString();
  }
}
