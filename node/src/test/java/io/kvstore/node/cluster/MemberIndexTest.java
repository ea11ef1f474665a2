package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.MemberTable.Record;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemberIndexTest {
  private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 4000);

  /**
   * Push-pull sends the table in iteration order, so the simulator's traces stay as they were
   * only if it iterates as the HashMap it replaced did, through growth, removals and re-additions.
   */
  @Test
  void findsAndIteratesExactlyAsAHashMapThroughAddsAndRemoves() {
    SplittableRandom random = new SplittableRandom(7);
    MemberIndex index = new MemberIndex();
    Map<NodeId, Record> map = new HashMap<>();
    for (int step = 0; step < 20_000; step++) {
      NodeId id = new NodeId(random.nextBoolean() ? "node-" + random.nextInt(3000) : "n" + random.nextInt(3000));
      Record present = index.get(id);
      assertThat(present).isSameAs(map.get(id));
      if (present == null) {
        Record r = new Record(id, ADDRESS, step, MemberState.ALIVE, step);
        index.add(r);
        map.put(id, r);
      } else if (random.nextInt(3) == 0) {
        assertThat(index.remove(present)).isTrue();
        map.remove(id);
        assertThat(index.remove(present)).isFalse();
      }
      if (step % 997 == 0) {
        assertThat(iterated(index)).containsExactlyElementsOf(map.values());
      }
    }
    assertThat(index.size()).isEqualTo(map.size());
    assertThat(iterated(index)).containsExactlyElementsOf(map.values());
  }

  @Test
  void findsAnEqualIdThatIsAnotherInstance() {
    MemberIndex index = new MemberIndex();
    Record r = new Record(new NodeId("node-1"), ADDRESS, 1, MemberState.ALIVE, 0);
    index.add(r);

    assertThat(index.get(new NodeId("node-1"))).isSameAs(r);
    assertThat(index.get(new NodeId("node-2"))).isNull();
  }

  private static List<Record> iterated(MemberIndex index) {
    List<Record> all = new ArrayList<>();
    index.forEach(all::add);
    return all;
  }
}
