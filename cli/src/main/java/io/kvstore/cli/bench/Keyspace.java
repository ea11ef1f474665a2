package io.kvstore.cli.bench;

import io.kvstore.client.Keys;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** The benchmark's keys: key i is the SHA-256 of the decimal string i, computed once per run. */
final class Keyspace {
  private Keyspace() {}

  /**
   * Every key in the form the protocol sends: 32 raw bytes for KVStore, the digest as 64 lowercase
   * hex characters for memcached (whose text protocol takes ASCII keys of up to 250 bytes).
   */
  static byte[][] keys(BenchConfig.Protocol protocol, int count) {
    byte[][] keys = new byte[count][];
    for (int i = 0; i < count; i++) {
      byte[] digest = Keys.sha256(Integer.toString(i));
      keys[i] =
          protocol == BenchConfig.Protocol.KVSTORE
              ? digest
              : HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
    }
    return keys;
  }
}
