package io.kvstore.node.ops.files;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** The 16-byte id of a FILE operation, as a map key and a directory name. */
public record FileOpId(long high, long low) {
  public static final int LENGTH = 16;

  public static FileOpId of(byte[] id) {
    if (id == null || id.length != LENGTH) {
      throw new IllegalArgumentException("an operation id has " + LENGTH + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(id);
    return new FileOpId(in.getLong(), in.getLong());
  }

  public static FileOpId read(ByteBuffer in) {
    return new FileOpId(in.getLong(), in.getLong());
  }

  public void write(ByteBuffer out) {
    out.putLong(high).putLong(low);
  }

  public byte[] bytes() {
    return ByteBuffer.allocate(LENGTH).putLong(high).putLong(low).array();
  }

  /** 32 hex digits: the operation's directory under ops/chunks. */
  public String hex() {
    return HexFormat.of().formatHex(bytes());
  }

  /** The first 8 hex digits, as status names and logs show it. */
  public String shortHex() {
    return hex().substring(0, 8);
  }

  @Override
  public String toString() {
    return shortHex();
  }
}
