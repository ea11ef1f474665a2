package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Fuzzes what the pipeline reads out of an internal datagram before any component sees it: the
 * HMAC check ({@link FrameAuthenticator#open}) and the request-forwarding frames ({@link
 * ForwardFrames}). Neither may throw on any input; a frame passes the secret's check only with
 * the tag the secret gives it; a FORWARD frame yields either null or a client address followed by
 * the client's datagram inside the frame. CI runs the seeds in {@code
 * src/test/resources/io/kvstore/node/request/InternalFramesFuzzTestInputs}.
 */
class InternalFramesFuzzTest {
  private static final FrameAuthenticator SECRET =
      FrameAuthenticator.withSecret("fuzzing-secret-0123456789");
  private static final FrameAuthenticator NONE = FrameAuthenticator.none();

  @FuzzTest(maxDuration = "60s")
  void internalFramesNeverThrow(byte[] data) {
    byte[] opened = SECRET.open(ByteBuffer.wrap(data));
    if (opened != null) {
      assertThat(opened.length).isEqualTo(data.length - InternalFrame.TAG_LENGTH);
      assertThat(SECRET.seal(opened)).isEqualTo(data);
    }
    assertThat(NONE.open(ByteBuffer.wrap(data))).isEqualTo(data);

    if (data.length < InternalFrame.HEADER) {
      return; // the dispatch drops these before looking at the type
    }
    ByteBuffer body = ByteBuffer.wrap(data, InternalFrame.HEADER, data.length - InternalFrame.HEADER);
    InetSocketAddress client = ForwardFrames.client(body);
    if (client != null) {
      assertThat(client.getPort()).isBetween(0, 65_535);
      assertThat(body.position()).isBetween(InternalFrame.HEADER + 7, data.length);
    }
    long number = ForwardFrames.number(data);
    byte[] reply =
        ForwardFrames.reply(data, ByteBuffer.wrap(Arrays.copyOf(data, Math.min(data.length, 64))));
    assertThat(ForwardFrames.number(reply)).isEqualTo(number);
    assertThat(reply[InternalFrame.TYPE_OFFSET] & 0xFF).isEqualTo(ForwardFrames.FORWARD_REPLY);
  }
}
