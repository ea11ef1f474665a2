package io.kvstore.node.ops.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.node.ops.files.FileFrames.MalformedFileFrameException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FileFramesTest {
  static final byte[] ID = new byte[16];
  static final FileOpId OP = new FileOpId(0x1122334455667788L, 42);

  @Test
  void wantRoundTrips() {
    FileFrames.Want w = FileFrames.decodeWant(FileFrames.want(ID, OP, 7, 12288, 12288, true));
    assertEquals(OP, w.op());
    assertEquals(7, w.chunk());
    assertEquals(12288, w.offset());
    assertEquals(12288, w.length());
    assertTrue(w.lastResort());
    assertEquals(FileFrames.LIST, FileFrames.decodeWant(FileFrames.want(ID, OP, -1, 0, 32, false)).chunk());
  }

  @Test
  void pieceRoundTripsAndFitsA16KiBDatagramWithItsTag() {
    byte[] data = new byte[FileFrames.MAX_PIECE];
    new Random(1).nextBytes(data);
    byte[] frame = FileFrames.piece(ID, OP, 3, 0, FileFrames.DATA, 9, data, data.length);
    assertTrue(frame.length + 32 <= 16 * 1024, "piece datagram " + frame.length);
    FileFrames.Piece p = FileFrames.decodePiece(frame);
    assertArrayEquals(data, p.data());
    assertEquals(9, p.held());
    assertEquals(FileFrames.NOT_HAVE,
        FileFrames.decodePiece(FileFrames.piece(ID, OP, 3, 0, FileFrames.NOT_HAVE, 0, data, 0)).status());
  }

  @Test
  void aRefusalIsBarelyLargerThanTheWant() {
    byte[] want = FileFrames.want(ID, OP, 3, 0, 100, false);
    byte[] answer = FileFrames.piece(ID, OP, 3, 0, FileFrames.NOT_HAVE, 0, new byte[0], 0);
    assertEquals(want.length + 4, answer.length);
  }

  @Test
  void refusesMalformedFrames() {
    byte[] want = FileFrames.want(ID, OP, 1, 0, 100, false);
    for (int cut = 0; cut < want.length; cut++) {
      byte[] c = Arrays.copyOf(want, cut);
      assertThrows(MalformedFileFrameException.class, () -> FileFrames.decodeWant(c));
    }
    assertThrows(MalformedFileFrameException.class, () -> FileFrames.decodeWant(Arrays.copyOf(want, want.length + 1)));
    byte[] zeroLength = want.clone();
    zeroLength[want.length - 3] = 0;
    zeroLength[want.length - 2] = 0;
    assertThrows(MalformedFileFrameException.class, () -> FileFrames.decodeWant(zeroLength));
    byte[] tooLong = want.clone();
    tooLong[want.length - 3] = (byte) 0x40; // 16 KiB
    assertThrows(MalformedFileFrameException.class, () -> FileFrames.decodeWant(tooLong));
    byte[] flags = want.clone();
    flags[want.length - 1] = 4;
    assertThrows(MalformedFileFrameException.class, () -> FileFrames.decodeWant(flags));
    byte[] piece = FileFrames.piece(ID, OP, 1, 0, FileFrames.DATA, 0, new byte[10], 10);
    for (int cut = 0; cut < piece.length; cut++) {
      byte[] c = Arrays.copyOf(piece, cut);
      assertThrows(MalformedFileFrameException.class, () -> FileFrames.decodePiece(c), "cut " + cut);
    }
    byte[] longer = Arrays.copyOf(piece, piece.length + 1);
    assertThrows(MalformedFileFrameException.class, () -> FileFrames.decodePiece(longer));
    byte[] status = piece.clone();
    status[18 + 16 + 8] = 3;
    assertThrows(MalformedFileFrameException.class, () -> FileFrames.decodePiece(status));
    assertThrows(MalformedFileFrameException.class, () -> FileFrames.decodePiece(want), "a want is no piece");
  }
}
