package io.kvstore.node.request;

import io.kvstore.protocol.Wire;
import java.nio.ByteBuffer;

/**
 * What every LIST_MEMBERS page carries after its members (docs/PROTOCOL.md): whether the node runs
 * without authentication, and how many internal datagrams it rejected for a wrong or missing
 * cluster secret, so that {@code ./kvstore members} can tell a secret mismatch from a quiet
 * network. Older clients stop reading after the members and never see it.
 */
final class MembersTrailer {
  /** flags (1: bit 0 = insecure) and rejected internal datagrams (uint64 LE). */
  static final int LENGTH = 9;
  static final int INSECURE = 1;

  private MembersTrailer() {}

  static void put(ByteBuffer out, boolean insecure, long rejectedFrames) {
    out.put((byte) (insecure ? INSECURE : 0));
    Wire.putIntLE(out, (int) rejectedFrames);
    Wire.putIntLE(out, (int) (rejectedFrames >>> 32));
  }
}
