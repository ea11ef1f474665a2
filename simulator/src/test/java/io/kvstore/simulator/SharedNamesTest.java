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
}
