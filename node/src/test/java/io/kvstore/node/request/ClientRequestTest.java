package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.RequestDecoder;
import io.kvstore.protocol.RequestEncoder;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ClientRequestTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5555);

  @Test
  void theLookupKeyIsOneArrayRefilledPerRequestAndTheKeyACopyOfItsOwn() {
    ClientRequest request = new ClientRequest();
    request.fill(RequestDecoder.decode(encodedGet(1)), CLIENT);
    byte[] lookup = request.lookupKey();
    byte[] kept = request.key();

    assertThat(lookup).isEqualTo(key(1)).isNotSameAs(kept);
    assertThat(kept).isEqualTo(key(1));
    assertThat(request.key()).as("copied once per request").isSameAs(kept);

    request.fill(RequestDecoder.decode(encodedGet(2)), CLIENT);

    assertThat(request.lookupKey()).isSameAs(lookup).isEqualTo(key(2));
    assertThat(kept).as("a key handed out stays the earlier request's").isEqualTo(key(1));
    assertThat(request.key()).isEqualTo(key(2)).isNotSameAs(kept);
  }

  private static byte[] encodedGet(int n) {
    return RequestEncoder.encode(new byte[16], Command.GET, key(n), null);
  }

  private static byte[] key(int n) {
    byte[] key = new byte[32];
    key[0] = (byte) n;
    key[31] = (byte) (n * 3);
    return key;
  }
}
