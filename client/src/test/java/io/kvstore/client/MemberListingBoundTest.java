package io.kvstore.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node (or a forger on the path) that answers every LIST_MEMBERS page with a total of two
 * billion members: the listing stops at the bound the caller gives instead of paging forever.
 */
class MemberListingBoundTest {
  @Test
  void stopsAtTheBoundWhateverTotalThePagesClaim() throws Exception {
    withEndlessMemberList(client -> {
      List<MemberList.Entry> members = client.blocking().listAllMembers(250);

      assertThat(members).hasSize(250);
      assertThat(members.get(249).id()).isEqualTo("m");
    });
  }

  @Test
  void givesUpWhenTheListingTakesLongerThanItsBudget() throws Exception {
    withEndlessMemberList(client -> {
      long started = System.nanoTime();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> client.blocking().listAllMembers(Integer.MAX_VALUE, Duration.ofMillis(300)))
          .isInstanceOf(KvException.class)
          .hasMessageContaining("not complete within 300 ms");
      assertThat(System.nanoTime() - started).isLessThan(Duration.ofSeconds(3).toNanos());
    });
  }

  /** Runs {@code test} with a client of a node that claims 2^31 - 1 members, one per page. */
  private static void withEndlessMemberList(java.util.function.Consumer<KvClient> test) throws Exception {
    try (DatagramChannel node = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      Thread answering = new Thread(() -> answerEveryPage(node), "endless-member-list");
      answering.setDaemon(true);
      answering.start();
      InetSocketAddress address = (InetSocketAddress) node.getLocalAddress();
      try (KvClient client = KvClient.open(
          KvClientConfig.builder().node(address).timeout(Duration.ofMillis(500)).retries(2).build())) {
        test.accept(client);
      }
    }
  }

  /** Every request gets one page of one member, claiming 2^31 - 1 in all. */
  private static void answerEveryPage(DatagramChannel node) {
    ByteBuffer in = ByteBuffer.allocate(2048);
    try {
      while (true) {
        in.clear();
        SocketAddress client = node.receive(in);
        in.flip();
        ByteBuffer reply = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        reply.put(in.array(), 0, 16).put((byte) 0x00);
        reply.putInt(Integer.MAX_VALUE).putShort((short) 1);
        reply.put((byte) 0).putLong(1).put((byte) 1).put((byte) 'm');
        reply.put((byte) 4).put(new byte[] {127, 0, 0, 1}).putShort((short) 7000);
        reply.put((byte) 0).putLong(0); // trailer: flags, rejected frames
        reply.flip();
        node.send(reply, client);
      }
    } catch (java.io.IOException e) {
      // closed: the test is over
    }
  }
}
