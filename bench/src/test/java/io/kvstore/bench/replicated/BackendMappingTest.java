package io.kvstore.bench.replicated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import io.kvstore.client.KvResult;
import io.kvstore.client.KvException;
import io.kvstore.protocol.Command;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each system's answers count as, and that Hazelcast is configured as the comparison says. */
class BackendMappingTest {
  @Test
  void kvstoreCodesMapToOutcomes() {
    assertThat(KvStoreBackend.outcome(new KvResult(Command.GET, 0x00, new byte[1], 0), null))
        .isEqualTo(Outcome.OK);
    assertThat(KvStoreBackend.outcome(new KvResult(Command.GET, 0x01, null, 0), null))
        .isEqualTo(Outcome.MISS);
    assertThat(KvStoreBackend.outcome(new KvResult(Command.PUT, 0x03, null, 0), null))
        .isEqualTo(Outcome.REJECTED);
    assertThat(KvStoreBackend.outcome(new KvResult(Command.PUT, 0x22, null, 0), null))
        .isEqualTo(Outcome.REJECTED);
    assertThat(KvStoreBackend.outcome(null, new KvException("no reply from 127.0.0.1:1")))
        .isEqualTo(Outcome.FAILED);
  }

  @Test
  void hazelcastAnswersMapToOutcomes() {
    assertThat(HazelcastBackend.outcome(true, null)).isEqualTo(Outcome.OK);
    assertThat(HazelcastBackend.outcome(false, null)).isEqualTo(Outcome.MISS);
    assertThat(HazelcastBackend.outcome(true, new IllegalStateException("no member")))
        .isEqualTo(Outcome.FAILED);
  }

  @Test
  void waitingForMembersNamesWhoSawHowMany() {
    assertThatThrownBy(() -> MemberCount.await("127.0.0.1:4000", () -> 2, 3, Duration.ofMillis(300)))
        .hasMessage("127.0.0.1:4000 sees 2 members, expected 3 within 300 ms");
    assertThatThrownBy(() -> MemberCount.await("x", () -> MemberCount.NO_ANSWER, 3, Duration.ZERO))
        .hasMessageContaining("x sees no answer");
  }

  @Test
  void hazelcastMembersKeepTwoSynchronousBackupsOnLoopbackOnly() {
    InetSocketAddress self = new InetSocketAddress("127.0.0.1", 5701);
    List<InetSocketAddress> members = List.of(
        self, new InetSocketAddress("127.0.0.1", 5702), new InetSocketAddress("127.0.0.1", 5703));
    Config config = HazelcastMember.config(self, members, "bench-x");

    MapConfig map = config.getMapConfig(HazelcastMember.MAP_NAME);
    assertThat(map.getBackupCount()).isEqualTo(2);
    assertThat(map.getAsyncBackupCount()).isZero();
    assertThat(map.isReadBackupData()).isFalse();
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers())
        .containsExactly("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703");
    assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(config.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(config.getClusterName()).isEqualTo("bench-x");
  }
}
