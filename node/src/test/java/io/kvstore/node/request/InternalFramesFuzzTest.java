package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kvstore.node.replication.ReplicaFrames;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.protocol.InternalFrame;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Fuzzes what the pipeline reads out of an internal datagram before any component sees it: the
 * HMAC check ({@link FrameAuthenticator#open}) and the replica frames ({@link ReplicaFrames}).
 * Neither may throw anything but {@link ReplicaFrames.MalformedFrameException} on any input; a
 * frame passes the secret's check only with the tag the secret gives it; a replica frame that
 * decodes encodes back to the same bytes. CI runs the seeds in {@code
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
    byte[] frame = data.clone();
    for (int type : ReplicaFrames.TYPES) {
      frame[InternalFrame.TYPE_OFFSET] = (byte) type;
      try {
        byte[] again = switch (type) {
          case ReplicaFrames.WRITE -> {
            ReplicaFrames.Write w = ReplicaFrames.decodeWrite(frame);
            yield ReplicaFrames.write(w.operation(), w.attempt(), w.key(), w.record(), w.repair());
          }
          case ReplicaFrames.WRITE_ACK -> ReplicaFrames.ack(ReplicaFrames.decodeAck(frame));
          case ReplicaFrames.READ -> {
            ReplicaFrames.Read r = ReplicaFrames.decodeRead(frame);
            yield ReplicaFrames.read(r.operation(), r.attempt(), r.key());
          }
          default -> ReplicaFrames.readReply(ReplicaFrames.decodeReadReply(frame));
        };
        // Bytes 12-15 of the id and the version byte are not part of what decodes.
        assertThat(Arrays.copyOfRange(again, 18, again.length))
            .isEqualTo(Arrays.copyOfRange(frame, 18, frame.length));
        assertThat(Arrays.copyOf(again, 12)).isEqualTo(Arrays.copyOf(frame, 12));
      } catch (ReplicaFrames.MalformedFrameException expected) {
        // refused, as it should be: counted by the caller
      }
    }
  }
}
