package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.SwimMessage.Update;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SharedNamesTest {
  @Test
  void aSharedIdOrAddressIsFoundFromItsBytesAndAnyOtherIsDecodedAnew() throws Exception {
    SharedNames names = new SharedNames();
    for (int i = 0; i < 1000; i++) { // past several growths of the tables
      names.share(new NodeId("node-" + i), new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, (byte) (i >> 8), (byte) i}), 4000));
    }
    NodeId shared = new NodeId("node-417");
    names.share(shared, new InetSocketAddress("127.0.1.161", 4000)); // already there: the first stays
    byte[] datagram = "..node-417..node-1000".getBytes(StandardCharsets.US_ASCII);

    NodeId found = names.id(datagram, 2, 8);
    NodeId stranger = names.id(datagram, 12, 9);

    assertThat(found).isEqualTo(shared).isNotSameAs(shared).isSameAs(names.id(datagram, 2, 8));
    assertThat(stranger).isEqualTo(new NodeId("node-1000")).isNotSameAs(names.id(datagram, 12, 9));

    byte[] ip = {9, 127, 0, 1, (byte) 161};
    InetSocketAddress address = names.address(ip, 1, 4, 4000);
    assertThat(address).isEqualTo(new InetSocketAddress("127.0.1.161", 4000)).isSameAs(names.address(ip, 1, 4, 4000));
    assertThat(names.address(ip, 1, 4, 4001)).isEqualTo(new InetSocketAddress("127.0.1.161", 4001))
        .isNotSameAs(names.address(ip, 1, 4, 4001));
  }

  @Test
  void equalOwnWordAliveUpdatesOfSharedNodesAreOneInstanceAndOthersAreKeptAsDecoded() throws Exception {
    SharedNames names = new SharedNames();
    NodeId a = new NodeId("node-1");
    NodeId b = new NodeId("node-2");
    InetSocketAddress at = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}), 4000);
    names.share(a, at);
    names.share(b, new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 3}), 4000));

    Update first = names.update(new Update(Update.Kind.ALIVE, a, at, 7, a));
    Update again = names.update(new Update(Update.Kind.ALIVE, a, at, 7, a));
    Update newer = names.update(new Update(Update.Kind.ALIVE, a, at, 8, a));
    Update relayed = new Update(Update.Kind.ALIVE, a, at, 8, b);
    Update suspect = new Update(Update.Kind.SUSPECT, a, null, 8, a);
    NodeId stranger = new NodeId("forged");
    Update forged = new Update(Update.Kind.ALIVE, stranger, at, 1, stranger);

    assertThat(again).isSameAs(first);
    assertThat(newer).isNotSameAs(first).isSameAs(names.update(new Update(Update.Kind.ALIVE, a, at, 8, a)));
    assertThat(names.update(relayed)).isSameAs(relayed);
    assertThat(names.update(suspect)).isSameAs(suspect);
    assertThat(names.update(forged)).isSameAs(forged);
  }

  /** Ids are found by length and their first 16 bytes in two words; longer ones by their bytes too. */
  @Test
  void idsOfEveryLengthAreFoundOnlyByTheirOwnBytes() throws Exception {
    SharedNames names = new SharedNames();
    java.util.List<NodeId> shared = new java.util.ArrayList<>();
    for (int length = 1; length <= NodeId.MAX_BYTES; length++) {
      String value = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_".substring(0, length);
      NodeId id = new NodeId(value);
      names.share(id, new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) length}), 4000));
      shared.add(id);
    }
    for (NodeId id : shared) {
      byte[] utf8 = id.value().getBytes(StandardCharsets.US_ASCII);
      for (int before : new int[] {0, 3}) {
        byte[] alone = new byte[before + utf8.length]; // the id at the datagram's very end
        System.arraycopy(utf8, 0, alone, before, utf8.length);
        assertThat(names.id(alone, before, utf8.length)).isSameAs(id);
        byte[] followed = java.util.Arrays.copyOf(alone, alone.length + 20);
        java.util.Arrays.fill(followed, alone.length, followed.length, (byte) 'q');
        assertThat(names.id(followed, before, utf8.length)).isSameAs(id);
        for (int changed = 0; changed < utf8.length; changed++) { // one byte different anywhere
          byte[] other = alone.clone();
          other[before + changed] ^= 0x20;
          NodeId found = names.id(other, before, utf8.length);
          assertThat(found).isNotSameAs(id).isNotEqualTo(id);
        }
        if (utf8.length > 1) { // a prefix: the same bytes, shorter
          assertThat(names.id(alone, before, utf8.length - 1)).isSameAs(shared.get(utf8.length - 2));
        }
      }
    }
  }
}
